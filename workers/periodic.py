"""Timed work. With Redis, RQ cron (workers/cron.py) enqueues these; without it, the outbox pump calls them."""
from __future__ import annotations

import logging

from sqlmodel import Session

from webapp.db import get_engine
from webapp.jobs import minute_steps
from webapp.settings import get_settings

log = logging.getLogger(__name__)

def run_tick(session: Session) -> None:
    """Every step declared `@every_minute` (webapp.jobs), each committed on its own: each moves the product on
    by the clock (challenge lifecycle, cadences, rollups, nudges...)."""
    for step in minute_steps():
        step(session)
        session.commit()


def tick() -> None:
    """RQ cron entry point: the once-a-minute steps."""
    with Session(get_engine(get_settings().database_url), expire_on_commit=False) as session:
        run_tick(session)


def sweep_outbox() -> int:
    """RQ cron entry point: hand over rows a web process wrote but could not dispatch (Redis was down), and
    end failed the jobs past their deadline."""
    from rq import get_current_job

    from . import dispatch

    settings = get_settings()
    current = get_current_job()
    connection = current.connection if current else dispatch.redis_connection(settings)
    from .runner import fail_overdue

    with Session(get_engine(settings.database_url), expire_on_commit=False) as session:
        dispatch.release_stale(session, settings)
        fail_overdue(session, settings)
        return dispatch.dispatch_pending(session, settings, dispatch.job_queue(settings, connection))
