"""Telling people: `notify` asks for it in the caller's transaction (an outbox job), `store` writes it.

Each notification is unique per (person, source), so a job that runs twice, or two paths to the same
event, notify once; an email goes out for the rows this call added, to those who want that kind by email.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ..jobs import NOTIFY, enqueue
from ..models import Membership, Notification, User
from ..settings import get_settings
from .kinds import KINDS, label
from .preferences import unsubscribe_token, wanting_email

JOB = NOTIFY


def notify(session: Session, kind: str, text: str, *, source: str, user_ids: Iterable[int] = (),
           team_ids: Iterable[int] = (), link: str | None = None, fresh: bool = False, key: str | None = None) -> None:
    """Ask for `text` to reach `user_ids` and every member of `team_ids` (counted when the job runs) in the
    caller's transaction.

    `source` names the event ("kudos:12"); the same source twice gives one notification per person.
    `fresh`: the source names a row inserted in this transaction (no job can have it yet). `key`: the job's own
    key, where one source reaches people in several jobs (a nudge per time zone)."""
    assert kind in KINDS, kind
    ids, teams = sorted(set(user_ids)), sorted(set(team_ids))
    if not ids and not teams:
        return
    enqueue(session, JOB, (key or f"notify:{source}")[:120], fresh=fresh, user_ids=ids, team_ids=teams, kind=kind,
            text=text[:500], link=link, source=source)


def recipients(session: Session, user_ids: Iterable[int], team_ids: Iterable[int]) -> list[int]:
    ids, teams = set(user_ids), sorted(set(team_ids))
    if teams:
        ids |= set(session.exec(select(Membership.user_id).where(col(Membership.team_id).in_(teams))).all())
    return sorted(ids)


def store(session: Session, kind: str, user_ids: Iterable[int], text: str, *, source: str,
          link: str | None = None) -> list[Notification]:
    """Write the notification for each person who does not have it yet, and queue the email of those who want
    `kind` by email. Returns the rows added. Caller commits."""
    ids = sorted(set(user_ids))
    if not ids:
        return []
    have = set(session.exec(select(Notification.user_id).where(
        Notification.source == source, col(Notification.user_id).in_(ids))).all())
    added = []
    for user_id in ids:
        if user_id in have:
            continue
        row = Notification(user_id=user_id, kind=kind, text=text[:500], link=link, source=source)
        try:
            with session.begin_nested():  # a parallel writer of the same source: theirs stands
                session.add(row)
        except IntegrityError:
            continue
        added.append(row)
    emailed = wanting_email(session, [row.user_id for row in added], kind)
    if emailed:
        _queue_emails(session, kind, [row for row in added if row.user_id in emailed])
    return added


def _queue_emails(session: Session, kind: str, rows: list[Notification]) -> None:
    from ..mail.compose import queue_emails

    settings = get_settings()
    people = {user.id: user for user in session.exec(select(User).where(
        col(User.id).in_([row.user_id for row in rows]), col(User.is_active).is_(True)))}
    messages = []
    for row in rows:
        user = people.get(row.user_id)
        if user is None:
            continue
        messages.append(compose_for(user, "notification", row.text[:150], kind, settings,
                                    text=row.text, link=absolute(row.link, settings), kind_label=label(kind)))
    queue_emails(session, messages)


def base_url(settings) -> str:
    """Where links in notification mail point: PUBLIC_URL, else this machine's `make run` address (jobs have no
    request to take an address from)."""
    return (settings.public_url or f"http://127.0.0.1:{settings.port}").rstrip("/")


def absolute(path: str | None, settings) -> str:
    if not path:
        return base_url(settings) + "/notifications"
    return path if path.startswith(("http://", "https://")) else base_url(settings) + path


def unsubscribe_url(user_id: int, kind: str, settings) -> str:
    return f"{base_url(settings)}/unsubscribe/{unsubscribe_token(settings.secret_key_value(), user_id, kind)}"


def compose_for(user: User, template: str, subject: str, kind: str, settings, **context) -> dict:
    """An Email row's columns for `user`, with the one-click unsubscribe link of `kind` in the message and its headers."""
    from ..mail.compose import compose

    unsubscribe = unsubscribe_url(user.id, kind, settings)
    message = compose(template, user.email, subject, name=user.display_name, unsubscribe_url=unsubscribe,
                      settings_url=base_url(settings) + "/profile/notifications", **context)
    message["unsubscribe_url"] = unsubscribe
    return message
