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
    parts = parse_session_id(session_id)
    if parts is None:
        return None
    user = session.get(User, parts[0])
    return user if is_current(user, parts[1]) else None


def parse_session_id(session_id: str) -> tuple[int, int] | None:
    """(user id, generation) from a cookie's id, or None when malformed."""
    match = _SESSION_ID.fullmatch(session_id or "")
    return None if match is None else (int(match.group(1)), int(match.group(2)))


def is_current(user: User | None, generation: int) -> bool:
    """The account exists, is active, and this session was issued since its sessions were last revoked."""
    return user is not None and user.is_active and user.session_generation == generation
