"""A running challenge with two teammates, and helpers to run the notification jobs again."""
from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlmodel import select

from webapp.models import JobStatus, Notification, OutboxJob

from ..play.conftest import World


@pytest.fixture
def world(session, make_user) -> World:
    return World(session, make_user)


@pytest.fixture
def run_notification_jobs_again(session, run_jobs):
    """Hand every finished notification job out once more, as a second delivery would, and run them."""

    def again() -> list[str]:
        session.exec(update(OutboxJob).where(OutboxJob.name == "notifications.send",
                                             OutboxJob.status == JobStatus.DONE).values(status=JobStatus.PENDING))
        session.commit()
        return run_jobs()

    return again


def notes(session, user, kind: str | None = None) -> list[Notification]:
    session.expire_all()
    query = select(Notification).where(Notification.user_id == user.id)
    if kind is not None:
        query = query.where(Notification.kind == kind)
    return list(session.exec(query.order_by(Notification.id)).all())
