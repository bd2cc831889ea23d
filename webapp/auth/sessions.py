"""Sign-in sessions: what a cookie names, and revoking every cookie of an account at once.

Sessions are signed cookies, so the server cannot forget one; instead each account has a session
generation, stored in the cookie at sign-in and compared on every request. Raising it makes every
cookie issued before worthless, copied ones included.
"""
from __future__ import annotations

import re

from sqlmodel import Session

from ..models import User

_SESSION_ID = re.compile(r"([0-9]{1,18}):([0-9]{1,18})")


def revoke_sessions(user: User) -> None:
    """Every session of this account ends at its next request (the caller commits)."""
    user.session_generation = (user.session_generation or 0) + 1


def user_of_session(session: Session, session_id: str) -> User | None:
    """The active user a cookie's id ("<user id>:<generation>") names, or None when revoked or malformed."""
    match = _SESSION_ID.fullmatch(session_id or "")
    if match is None:
        return None
    user = session.get(User, int(match.group(1)))
    if user is None or not user.is_active or user.session_generation != int(match.group(2)):
        return None
    return user
