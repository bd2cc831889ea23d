"""Access tokens: make one (shown once), find the live one a request carries, list and revoke them.

A token is `llp_` followed by 43 random URL-safe characters; only its sha256 is stored, so a copy of
the database lets nobody call the API. A token acts as its user, capped by its scope, and never gets
a scope above the user's role (an employee cannot hold an admin token).
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from ..problems import Invalid, Problem
from ..models import ApiToken, Role, TokenScope, User, utcnow

PREFIX = "llp_"
NAME_MAX = 100
SCOPE_ORDER = (TokenScope.READ, TokenScope.WRITE, TokenScope.ADMIN)
# The last-used time is written at most this often per token, so reading the API does not write every time.
LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass
class NewToken:
    token: ApiToken
    secret: str  # the whole token, to show once


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def scopes_for(role: Role) -> tuple[TokenScope, ...]:
    """The scopes a person of this role may give a token: admin only for admins."""
    return SCOPE_ORDER if role == Role.ADMIN else SCOPE_ORDER[:2]


def includes(held: TokenScope, needed: TokenScope) -> bool:
    return SCOPE_ORDER.index(held) >= SCOPE_ORDER.index(needed)


def create_token(session: Session, user: User, name: str, scope: str, days: str | int, max_days: int,
                 service: bool = False, created_by: User | None = None, now: datetime | None = None) -> NewToken:
    """A new token for `user`; the caller commits and shows `secret` once.

    Raises Invalid (by field: name, scope, days) for an empty or long name, a scope above the user's role,
    or a life outside 1..max_days days.
    """
    now = now or utcnow()
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "Give the token a name, so you know later what uses it."
    elif len(name) > NAME_MAX:
        errors["name"] = f"At most {NAME_MAX} characters."
    allowed = [choice.value for choice in scopes_for(user.role)]
    if scope not in allowed:
        errors["scope"] = "Choose one of: " + ", ".join(allowed) + "."
    text = str(days).strip()
    life = int(text) if text.isascii() and text.isdigit() and len(text) < 6 else 0
    if not 1 <= life <= max_days:
        errors["days"] = f"A whole number of days from 1 to {max_days}."
    if errors:
        raise Invalid([Problem((field,), message) for field, message in errors.items()])
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_token(secret), hint=secret[len(PREFIX):][:6],
                     scope=TokenScope(scope), service=service, created_by_id=(created_by or user).id,
                     created_at=now, expires_at=now + timedelta(days=life))
    session.add(token)
    session.flush()
    return NewToken(token=token, secret=secret)


def live_token(session: Session, secret: str, now: datetime | None = None) -> tuple[ApiToken, User] | None:
    """The token and its user if `secret` is a token that is not revoked, not expired, of an active user."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    now = now or utcnow()
    row = session.exec(select(ApiToken, User).join(User, User.id == ApiToken.user_id)
                       .where(ApiToken.token_hash == hash_token(secret))).first()
    if row is None:
        return None
    token, user = row
    if token.revoked_at is not None or token.expires_at <= now or not user.is_active:
        return None
    return token, user


def note_use(database_url: str, token: ApiToken, now: datetime | None = None) -> bool:
    """Record when the token was last used, to the minute; True if it wrote.

    In a short session of its own, so the request itself can stay read-only (no transaction on PostgreSQL).
    """
    from sqlalchemy import update
    from sqlalchemy.orm.attributes import set_committed_value

    from ..db import get_engine

    now = now or utcnow()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_PRECISION:
        return False
    with Session(get_engine(database_url)) as session:
        session.exec(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
        session.commit()
    # The request's own copy learns the time without becoming dirty (its session may be read-only).
    set_committed_value(token, "last_used_at", now)
    return True


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    """The person's own tokens (not service tokens), newest first."""
    return list(session.exec(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.service == False)  # noqa: E712
                             .order_by(ApiToken.id.desc())))


def service_tokens(session: Session) -> list[tuple[ApiToken, User]]:
    return list(session.exec(select(ApiToken, User).join(User, User.id == ApiToken.user_id)
                             .where(ApiToken.service == True).order_by(ApiToken.id.desc())))  # noqa: E712


def revoke_token(session: Session, user: User, token_id: int, now: datetime | None = None) -> ApiToken | None:
    """Revoke one of the user's own tokens, or (for an admin) a service token. None: no such token for them."""
    token = session.get(ApiToken, token_id)
    if token is None:
        return None
    own = token.user_id == user.id and not token.service
    if not own and not (token.service and user.role == Role.ADMIN):
        return None
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
        session.add(token)
    return token


def status_of(token: ApiToken, now: datetime | None = None) -> str:
    now = now or utcnow()
    if token.revoked_at is not None:
        return "revoked"
    return "expired" if token.expires_at <= now else "active"

