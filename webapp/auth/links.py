"""Signed links sent by email (invitations, password resets): `<row id, nonce>` signed with the secret key.

The signature stops guessing and tampering and carries the time it was made; the row says whether the link
is still the current one, unused and unexpired. Web processes and job workers share SECRET_KEY.
"""
from __future__ import annotations

import secrets

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class LinkRefused(ValueError):
    """The link cannot be used; the message says why, for the person who followed it."""


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def sign(secret: str, purpose: str, row_id: int, nonce: str) -> str:
    return URLSafeTimedSerializer(secret, salt=f"learnloop-{purpose}").dumps([row_id, nonce])


def read(secret: str, purpose: str, token: str, max_age_seconds: int) -> tuple[int, str]:
    """(row id, nonce) from a token. Raises LinkRefused when it is forged, damaged or too old."""
    try:
        row_id, nonce = URLSafeTimedSerializer(secret, salt=f"learnloop-{purpose}").loads(token, max_age=max_age_seconds)
    except SignatureExpired:
        raise LinkRefused("This link has expired.") from None
    except (BadSignature, ValueError, TypeError):
        raise LinkRefused("This link is not valid. Check that you copied all of it.") from None
    if not isinstance(row_id, int) or not isinstance(nonce, str):
        raise LinkRefused("This link is not valid. Check that you copied all of it.")
    return row_id, nonce


def base_url() -> str:
    """Where emailed links point: PUBLIC_URL when set, otherwise the address this request came to."""
    from flask import current_app, request

    return current_app.config["LEARNLOOP"].public_url or request.url_root
