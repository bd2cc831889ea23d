"""A real OpenID Connect provider for tests: `oidc-provider-mock` in its own process on a free port.

It signs ID tokens (RS256), publishes discovery and JWKS, refuses a used authorization code, and takes the
person to sign in as a subject POSTed to its authorize page; `set_user` gives a subject its claims
(email, name, groups ...). It does not check PKCE: tests check the challenge Learnloop sends instead.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import requests

from .support import free_port


class OidcProvider:
    def __init__(self, port: int):
        self.port = port
        self.issuer = f"http://127.0.0.1:{port}"

    def set_user(self, subject: str, **claims) -> None:
        """Give `subject` these claims from now on (their next sign-in sees them)."""
        response = requests.put(f"{self.issuer}/users/{subject}", json=claims, timeout=5)
        response.raise_for_status()

    def approve(self, authorize_url: str, subject: str) -> str:
        """Sign in as `subject` on the provider's page; the callback URL it sends the browser back to."""
        response = requests.post(authorize_url, data={"sub": subject}, allow_redirects=False, timeout=5)
        assert response.status_code == 302, response.text[:500]
        return response.headers["Location"]

    def deny(self, authorize_url: str) -> str:
        response = requests.post(authorize_url, data={"action": "deny"}, allow_redirects=False, timeout=5)
        assert response.status_code == 302, response.text[:500]
        return response.headers["Location"]


def callback_path(location: str) -> str:
    """The path and query of a callback URL, for the Flask test client."""
    parts = urlsplit(location)
    return f"{parts.path}?{parts.query}"


def query(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


@contextmanager
def oidc_provider(timeout: float = 90.0):
    """Start the provider and wait (with a deadline) until its discovery document answers. The deadline is
    generous: on a busy two-core machine its start (imports, an RSA key) has taken over 20 seconds."""
    port = free_port()
    env = dict(os.environ, AUTHLIB_INSECURE_TRANSPORT="1", PYTHONWARNINGS="ignore")
    process = subprocess.Popen([sys.executable, "-m", "oidc_provider_mock", "--port", str(port), "--require-nonce",
                                "true"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    provider = OidcProvider(port)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the OIDC provider exited: {process.stderr.read().decode()[-2000:]}")
            try:
                if requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=5).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("the OIDC provider did not start")
            time.sleep(0.1)
        yield provider
    finally:
        process.terminate()
        process.wait(10)
