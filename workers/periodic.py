"""Timed work. With Redis, RQ cron (workers/cron.py) enqueues these; without it, the outbox pump calls them."""
from __future__ import annotations

import logging

from sqlmodel import Session

from webapp.db import get_engine
from webapp.settings import get_settings

log = logging.getLogger(__name__)

# Functions called with a session once a minute: each moves the product on by the clock
# (challenge lifecycle, summary cadence). Areas add theirs here.
TICK_STEPS: list[str] = [
    "workers.reflection:enqueue_cadence_prompts",
    "workers.summaries:summarise_at_cadence",
    "webapp.challenges.lifecycle:advance_challenges",
    "webapp.monitoring.rollups:refresh_rollups",
    "webapp.play.approvals:auto_approve_due",
    "webapp.outbound.chat:post_weekly_summaries",
    "webapp.notifications.nudges:send_nudges",
    "webapp.notifications.digest:send_digests",
]


def run_tick(session: Session) -> None:
    from importlib import import_module

    for path in TICK_STEPS:
        module_name, _, attr = path.partition(":")
        getattr(import_module(module_name), attr)(session)
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
