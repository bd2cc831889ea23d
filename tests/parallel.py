"""Many requests at once against a served app: signed-in browsers and a barrier so they start together."""
from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from .conftest import PASSWORD

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def signed_in(base_url: str, email: str, password: str = PASSWORD) -> tuple[requests.Session, str]:
    """A browser signed in as `email` through the real form, and its CSRF token."""
    browser = requests.Session()
    token = CSRF_META.search(browser.get(f"{base_url}/login", timeout=30).text).group(1)
    answer = browser.post(f"{base_url}/login", data={"email": email, "password": password, "csrf_token": token},
                          allow_redirects=False, timeout=30)
    assert answer.status_code == 303, answer.text
    token = CSRF_META.search(browser.get(f"{base_url}/dashboard", timeout=30).text).group(1)
    return browser, token


def post_at_once(base_url: str, browser: requests.Session, token: str, path: str, forms: list[dict],
                 headers: dict | None = None) -> list[requests.Response]:
    """POST each form to `path` from its own connection (the same signed-in cookies), all released together."""
    barrier = threading.Barrier(len(forms))

    def send(form: dict) -> requests.Response:
        own = requests.Session()
        own.cookies.update(browser.cookies)
        barrier.wait(timeout=30)
        return own.post(f"{base_url}{path}", data={"csrf_token": token, **form}, headers=headers or {},
                        allow_redirects=False, timeout=60)

    with ThreadPoolExecutor(max_workers=len(forms)) as pool:
        return list(pool.map(send, forms))
