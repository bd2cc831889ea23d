"""Signed links sent by email (invitations, password resets): a random nonce, signed with the secret key.

The signature stops guessing and tampering and carries the time it was made; the row the nonce names says
whether the link is still the current one, unused and unexpired. The nonce is drawn before anything is
written, so a batch of invitations is composed before its transaction starts. Web processes and job
workers share SECRET_KEY.
"""
from __future__ import annotations

import secrets

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class LinkRefused(ValueError):
    """The link cannot be used; the message says why, for the person who followed it."""


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def sign(secret: str, purpose: str, nonce: str) -> str:
    return URLSafeTimedSerializer(secret, salt=f"learnloop-{purpose}").dumps(nonce)


def read(secret: str, purpose: str, token: str, max_age_seconds: int) -> str:
    """The nonce of a token. Raises LinkRefused when it is forged, damaged or too old."""
    try:
        nonce = URLSafeTimedSerializer(secret, salt=f"learnloop-{purpose}").loads(token, max_age=max_age_seconds)
    except SignatureExpired:
        raise LinkRefused("This link has expired.") from None
    except (BadSignature, ValueError, TypeError):
        raise LinkRefused("This link is not valid. Check that you copied all of it.") from None
    if not isinstance(nonce, str) or not nonce:
        raise LinkRefused("This link is not valid. Check that you copied all of it.")
    return nonce


def base_url() -> str:
    """Where emailed links point: PUBLIC_URL when set, otherwise the address this request came to."""
    from flask import current_app, request

    public_url = current_app.config["LEARNLOOP"].public_url
    return public_url + "/" if public_url else request.url_root
