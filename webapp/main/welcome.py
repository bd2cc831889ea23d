"""First visits: greet a newcomer as one (not "Welcome back"), and the first-run welcome of each role."""
from __future__ import annotations

from sqlmodel import Session

from ..models import User, utcnow


def greeting_on_sign_in(session: Session, user: User) -> str:
    """The words that greet a sign-in; records the first one. Caller commits."""
    if user.first_seen_at is None:
        user.first_seen_at = utcnow()
        session.add(user)
        return f"Welcome to Learnloop, {user.display_name}. Here is how it works."
    return f"Welcome back, {user.display_name}."


def close_welcome(session: Session, user: User) -> None:
    """The person read the first-run welcome: it is not shown again. Caller commits."""
    if user.welcomed_at is None:
        user.welcomed_at = utcnow()
        session.add(user)
