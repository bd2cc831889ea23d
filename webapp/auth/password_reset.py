"""Forgot password: a signed single-use link valid one hour, at most a few per account per hour.

The person who asks always gets the same answer, whether the address has an account or not; only the
owner of the address learns more, by email. A new password signs the account out everywhere (see sessions).
"""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import func, update
from sqlmodel import Session, select

from ..problems import Invalid
from ..mail import compose, queue_emails
from ..models import Invitation, PasswordReset, User, utcnow
from . import links
from .accounts import find_user

log = logging.getLogger(__name__)
VALID_FOR = timedelta(hours=1)
PER_ACCOUNT_PER_HOUR = 3
PURPOSE = "password-reset"


def request_reset(session: Session, base_url: str, secret: str, email: str) -> None:
    """Queue a reset email if `email` names an active account under its hourly limit; otherwise do nothing."""
    user = find_user(session, email) if email.strip() and "\x00" not in email else None
    if user is None or not user.is_active:
        return
    since = utcnow() - timedelta(hours=1)
    recent = session.exec(select(func.count()).select_from(PasswordReset)
                          .where(PasswordReset.user_id == user.id, PasswordReset.created_at > since)).one()
    if recent >= PER_ACCOUNT_PER_HOUR:
        log.warning("password reset for account %s refused: %s links in the last hour", user.id, recent)
        return
    now = utcnow()
    reset = PasswordReset(user_id=user.id, nonce=links.new_nonce(), created_at=now, expires_at=now + VALID_FOR)
    session.add(reset)
    session.flush()
    link = base_url.rstrip("/") + "/password/reset/" + links.sign(secret, PURPOSE, reset.nonce)
    queue_emails(session, [compose("password_reset", user.email, "Reset your Learnloop password",
                                   name=user.display_name, link=link)])


def open_reset(session: Session, secret: str, token: str) -> tuple[PasswordReset, User]:
    """The reset a link names, if it can still be used. Raises links.LinkRefused saying why not."""
    nonce = links.read(secret, PURPOSE, token, int(VALID_FOR.total_seconds()))
    reset = session.exec(select(PasswordReset).where(PasswordReset.nonce == nonce)).first()
    if reset is None:
        raise links.LinkRefused("This link is not valid. Check that you copied all of it.")
    if reset.used_at is not None:
        raise links.LinkRefused("This link was already used. Ask for a new one if you need to.")
    if reset.expires_at <= utcnow():
        raise links.LinkRefused("This link has expired. Ask for a new one.")
    user = session.get(User, reset.user_id)
    if user is None or not user.is_active:
        raise links.LinkRefused("This link is not valid. Check that you copied all of it.")
    return reset, user


def reset_password(session: Session, reset: PasswordReset, user: User, password: str, confirmation: str) -> None:
    """Set the new password and use up the link. Raises Invalid (password rules) or LinkRefused."""
    from ..people.users import set_password

    if password != confirmation:
        raise Invalid.one("confirmation", "The two passwords differ.")
    set_password(session, user, password)
    used = session.exec(update(PasswordReset).where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
                        .values(used_at=utcnow()))
    if used.rowcount != 1:
        raise links.LinkRefused("This link was already used. Ask for a new one if you need to.")
    # Someone invited who never accepted has now chosen a password: the invitation is done too.
    session.exec(update(Invitation).where(Invitation.user_id == user.id, Invitation.accepted_at.is_(None))
                 .values(accepted_at=utcnow()))
