"""In-app notifications, written by a job so the request that causes one never waits for it."""
from __future__ import annotations

from sqlmodel import Session, select

from webapp.models import Notification, OutboxJob


def send_notification(session: Session, *, user_id: int, text: str, link: str | None = None, job: OutboxJob) -> None:
    """Store one notification for the user; a job run twice stores it once (keyed by its outbox row)."""
    marker = f"job:{job.id}"
    already = session.exec(select(Notification).where(Notification.user_id == user_id, Notification.source == marker))
    if already.first() is None:
        session.add(Notification(user_id=user_id, text=text[:500], link=link, source=marker))
