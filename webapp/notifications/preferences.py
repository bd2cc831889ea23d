"""Who wants what by email: per person and kind, stored only where it differs from the kind's default."""
from __future__ import annotations

from collections.abc import Iterable

from itsdangerous import BadSignature, URLSafeSerializer
from sqlmodel import Session, col, select

from ..models import NotificationPreference, User, utcnow
from .kinds import DIGEST, KINDS, kind_of

UNSUBSCRIBE_SALT = "learnloop-unsubscribe"


class UnsubscribeRefused(ValueError):
    """The unsubscribe link cannot be used; the message says why."""


def defaults(kind: str) -> tuple[bool, bool]:
    """(email, digest) for a person who never chose."""
    if kind == DIGEST:
        return True, False
    found = kind_of(kind)
    return found.email, found.digest


def choices(session: Session, user_id: int) -> dict[str, tuple[bool, bool]]:
    """Kind -> (email, digest) as `user_id` has it, the digest itself included."""
    stored = {row.kind: (row.email, row.digest) for row in session.exec(
        select(NotificationPreference).where(NotificationPreference.user_id == user_id))}
    return {kind: stored.get(kind, defaults(kind)) for kind in [*KINDS, DIGEST]}


def wanting_email(session: Session, user_ids: Iterable[int], kind: str) -> set[int]:
    """Those of `user_ids` who get `kind` by email."""
    ids = set(user_ids)
    if not ids:
        return set()
    chosen = dict(session.exec(select(NotificationPreference.user_id, NotificationPreference.email).where(
        NotificationPreference.kind == kind, col(NotificationPreference.user_id).in_(sorted(ids)))).all())
    default = defaults(kind)[0]
    return {user_id for user_id in ids if chosen.get(user_id, default)}


def digest_choices(session: Session, user_ids: list[int]) -> dict[int, dict[str, tuple[bool, bool]]]:
    """Person -> only the choices they made (kind -> (email, digest)), for many people in one statement."""
    found: dict[int, dict[str, tuple[bool, bool]]] = {}
    if not user_ids:
        return found
    for row in session.exec(select(NotificationPreference).where(
            col(NotificationPreference.user_id).in_(user_ids))):
        found.setdefault(row.user_id, {})[row.kind] = (row.email, row.digest)
    return found


def choose(session: Session, user_id: int, kind: str, *, email: bool | None = None, digest: bool | None = None) -> None:
    """Record a choice for one kind (None keeps that half as it is). Caller commits."""
    if kind not in KINDS and kind != DIGEST:
        raise ValueError(f"unknown kind {kind!r}")
    row = session.exec(select(NotificationPreference).where(
        NotificationPreference.user_id == user_id, NotificationPreference.kind == kind)).first()
    if row is None:
        current_email, current_digest = defaults(kind)
        row = NotificationPreference(user_id=user_id, kind=kind, email=current_email, digest=current_digest)
    if email is not None:
        row.email = email
    if digest is not None:
        row.digest = digest
    row.updated_at = utcnow()
    session.add(row)


def save_all(session: Session, user: User, form) -> None:
    """The settings page: a ticked box is on, an absent one off (how an HTML form sends checkboxes)."""
    for kind in KINDS:
        choose(session, user.id, kind, email=form.get(f"email-{kind}") == "on",
               digest=form.get(f"digest-{kind}") == "on")
    choose(session, user.id, DIGEST, email=form.get(f"email-{DIGEST}") == "on")


def unsubscribe_token(secret: str, user_id: int, kind: str) -> str:
    """A signed, lasting token naming a person and a kind: whoever holds the message may turn that kind off."""
    return URLSafeSerializer(secret, salt=UNSUBSCRIBE_SALT).dumps([user_id, kind])


def read_unsubscribe_token(secret: str, token: str) -> tuple[int, str]:
    """(user id, kind) of a token. Raises UnsubscribeRefused when it is forged or damaged."""
    try:
        user_id, kind = URLSafeSerializer(secret, salt=UNSUBSCRIBE_SALT).loads(token)
    except (BadSignature, ValueError, TypeError):
        raise UnsubscribeRefused("This unsubscribe link is not valid. Check that you copied all of it.") from None
    if not isinstance(user_id, int) or (kind not in KINDS and kind != DIGEST):
        raise UnsubscribeRefused("This unsubscribe link is not valid. Check that you copied all of it.")
    return user_id, kind


def unsubscribe(session: Session, user_id: int, kind: str) -> None:
    """No more email of `kind` (for the digest: no more digest). In-app notifications stay. Caller commits."""
    choose(session, user_id, kind, email=False)
