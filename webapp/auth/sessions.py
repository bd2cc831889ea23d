"""Every session of an account ends when its password changes (a reset, an admin setting one, an invitation).

A minimal stand-in for a per-account session generation: the session keeps a keyed fingerprint of the
password hash it signed in with, and the user loader refuses a session whose fingerprint no longer matches.
"""
from __future__ import annotations

import hashlib
import hmac

from flask import current_app, session
from flask_login import user_logged_in

from ..models import User

KEY = "_password_fp"


def fingerprint(user: User) -> str:
    secret = current_app.secret_key.encode()
    return hmac.new(secret, user.password_hash.encode(), hashlib.sha256).hexdigest()[:32]


def still_valid(user: User) -> bool:
    """True if this request's session was signed in with the user's current password."""
    return hmac.compare_digest(session.get(KEY, ""), fingerprint(user))


def _remember_password(_app, user: User, **_extra) -> None:
    session[KEY] = fingerprint(user)


user_logged_in.connect(_remember_password)
