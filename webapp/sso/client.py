"""The OpenID Connect client (Authlib): one per app, set up from the settings; discovery from the issuer."""
from __future__ import annotations

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app

from ..settings import Settings

_EXTENSION = "learnloop_sso"


def init_app(app: Flask) -> None:
    settings: Settings = app.config["LEARNLOOP"]
    if not settings.uses_sso:
        return
    oauth = OAuth(app)
    oauth.register(
        "provider",
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret.get_secret_value(),
        server_metadata_url=f"{settings.oidc_issuer}/.well-known/openid-configuration",
        # Authorization code with PKCE (S256); Authlib adds and checks state and, for `openid`, a nonce.
        client_kwargs={"scope": settings.oidc_scopes, "code_challenge_method": "S256", "timeout": 10},
    )
    app.extensions[_EXTENSION] = oauth


def provider():
    """The app's client for the identity provider (only when single sign-on is configured)."""
    return current_app.extensions[_EXTENSION].provider


def sso_enabled() -> bool:
    return _EXTENSION in current_app.extensions

