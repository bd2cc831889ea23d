"""In-app notifications (and the email of those who want them), written by a job so the request that causes
one never waits for it."""
from __future__ import annotations

from sqlmodel import Session

from webapp.jobs import NOTIFY, job
from webapp.models import OutboxJob
from webapp.notifications.delivery import recipients, store


@job(NOTIFY)
def send_notification(session: Session, *, job: OutboxJob, text: str, user_id: int | None = None,
                      user_ids: list[int] | None = None, team_ids: list[int] | None = None, kind: str = "general",
                      link: str | None = None, source: str | None = None) -> None:
    """Store the notification for each person (one person, a list, and teams' members); a job run twice stores
    it once (keyed by its source, else its outbox row)."""
    people = recipients(session, [*(user_ids or []), *([user_id] if user_id is not None else [])], team_ids or [])
    store(session, kind, people, text, source=source or f"job:{job.id}", link=link)
