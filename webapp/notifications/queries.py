"""Reading and marking a person's notifications."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from ..models import Notification, User, utcnow

PAGE_SIZE = 50


def unread_count(session: Session, user: User) -> int:
    return session.exec(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, col(Notification.read_at).is_(None))).one()


def user_with_unread_count(session: Session, user_id: int) -> tuple[User | None, int]:
    """The user and how many of their notifications are unread, in one statement (the unread index answers
    the count)."""
    unread = (select(func.count()).select_from(Notification)
              .where(Notification.user_id == User.id, col(Notification.read_at).is_(None))
              .correlate(User).scalar_subquery())
    row = session.exec(select(User, unread).where(User.id == user_id)).first()
    return (None, 0) if row is None else (row[0], row[1])


def recent(session: Session, user: User, limit: int = PAGE_SIZE) -> list[Notification]:
    """The person's latest notifications, unread ones first."""
    return list(session.exec(select(Notification).where(Notification.user_id == user.id)
                             .order_by(col(Notification.read_at).is_not(None), col(Notification.id).desc())
                             .limit(limit)).all())


def mark_read(session: Session, user: User, notification_id: int, now: datetime | None = None) -> Notification | None:
    """Mark one of the person's own notifications read; None if it is not theirs (or does not exist)."""
    row = session.get(Notification, notification_id)
    if row is None or row.user_id != user.id:
        return None
    if row.read_at is None:
        row.read_at = now or utcnow()
        session.add(row)
    return row


def mark_all_read(session: Session, user: User, now: datetime | None = None) -> int:
    """Mark every unread notification of the person read; returns how many."""
    result = session.exec(update(Notification).where(Notification.user_id == user.id,
                                                     col(Notification.read_at).is_(None))
                          .values(read_at=now or utcnow()))
    return result.rowcount
