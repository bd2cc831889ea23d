"""Accounts: create users, find them by email, check credentials. No request needed."""
from __future__ import annotations

from sqlmodel import Session, select

from ..models import Role, User
from ..security import hash_password, verify_password


# Invited accounts have no password until the person chooses one: no hash matches this, and no work is done.
UNUSABLE_PASSWORD = "!invited"


class AccountError(ValueError):
    """The account cannot be created as asked; the message says why."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, or None (same answer for unknown email and wrong password)."""
    user = find_user(session, email)
    if not verify_password(user, password) or not user.is_active:
        return None
    return user


def create_user(
    session: Session, email: str, password: str | None, display_name: str, role: Role = Role.EMPLOYEE,
    timezone: str = "UTC",
) -> User:
    """Add a user to the session (the caller commits). Raises AccountError on a taken email or a short password.

    `password` None: an invited account that cannot sign in until the person chooses a password."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError(f"{email!r} is not an email address.")
    if password is not None and len(password) < 8:
        raise AccountError("The password must be at least 8 characters long.")
    if find_user(session, email) is not None:
        raise AccountError(f"A user with the email {email} already exists.")
    user = User(email=email, password_hash=UNUSABLE_PASSWORD if password is None else hash_password(password), display_name=display_name.strip() or email,
                role=Role(role), timezone=timezone)
    session.add(user)
    return user
