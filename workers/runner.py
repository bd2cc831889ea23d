"""Runs one outbox job: claim the row, call the job function, record the outcome.

The outbox row, not RQ, owns a job's state and its retries, so the same rules hold with RQ and without it:
a job is claimed atomically (a second delivery of the same job does nothing), a failure is retried with
backoff until `JOB_MAX_ATTEMPTS`, then marked failed for a person to see and retry.
"""
from __future__ import annotations

import logging
import traceback
from datetime import timedelta

from sqlalchemy import or_, update
from sqlmodel import Session

from webapp.db import get_engine
from webapp.models import JobStatus, OutboxJob, utcnow
from webapp.settings import Settings, get_settings

from .registry import resolve

log = logging.getLogger(__name__)

FAILURE_HOOKS: dict[str, str] = {  # job name -> "module:function(session, job)" called once a job is out of attempts
    "reflection.prompt_for_completion": "workers.reflection:mark_prompt_failed",
    "reflection.prompt_for_period": "workers.reflection:mark_prompt_failed",
    "summaries.summarise_team": "workers.summaries:mark_summary_failed",
    "people.import": "workers.people_import:mark_import_failed",
}


class Reschedule(Exception):
    """Raised by a job to run again after `delay_seconds` without using an attempt (e.g. a 429's Retry-After)."""

    def __init__(self, delay_seconds: float, reason: str = ""):
        super().__init__(reason or f"rescheduled in {delay_seconds:.0f} s")
        self.delay_seconds = delay_seconds


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(300, 5 * 2 ** max(0, attempts - 1)))


def claim(session: Session, job_id: int, settings: Settings) -> bool:
    """Atomically mark the job running; False if another run has it (or it is finished)."""
    now = utcnow()
    stale = now - timedelta(seconds=settings.job_stale_seconds)
    result = session.exec(
        update(OutboxJob)
        .where(
            OutboxJob.id == job_id,
            or_(
                OutboxJob.status.in_([JobStatus.PENDING, JobStatus.QUEUED]),
                (OutboxJob.status == JobStatus.RUNNING) & (OutboxJob.claimed_at < stale),
            ),
        )
        .values(status=JobStatus.RUNNING, claimed_at=now, attempts=OutboxJob.attempts + 1)
    )
    session.commit()
    return result.rowcount == 1


def run_outbox_job(job_id: int, database_url: str | None = None) -> str:
    """Run outbox job `job_id` once; returns its status afterwards. Never raises for a job's own error."""
    settings = get_settings()
    engine = get_engine(database_url or settings.database_url)
    with Session(engine, expire_on_commit=False) as session:
        if not claim(session, job_id, settings):
            job = session.get(OutboxJob, job_id)
            return job.status if job else "missing"
        job = session.get(OutboxJob, job_id)
        try:
            resolve(job.name)(session, job=job, **job.payload)
            job.status = JobStatus.DONE
            job.finished_at = utcnow()
            job.last_error = None
            session.add(job)
            session.commit()  # the job's own writes and its "done" land together
            return job.status
        except Reschedule as later:
            session.rollback()
            return _reschedule(session, job_id, later)
        except Exception as error:  # noqa: BLE001 - any failure of the job is recorded, then retried
            session.rollback()
            log.warning("job %s (%s) failed: %s", job_id, job.name, error)
            return _record_failure(session, job_id, error, settings)


def _reschedule(session: Session, job_id: int, later: Reschedule) -> str:
    job = session.get(OutboxJob, job_id)
    job.status = JobStatus.PENDING
    job.attempts = max(0, job.attempts - 1)
    job.available_at = utcnow() + timedelta(seconds=later.delay_seconds)
    job.last_error = str(later)[:2000]
    session.add(job)
    session.commit()
    return job.status


def _record_failure(session: Session, job_id: int, error: Exception, settings: Settings) -> str:
    job = session.get(OutboxJob, job_id)
    job.last_error = "".join(traceback.format_exception_only(error)).strip()[:2000]
    if job.attempts >= settings.job_max_attempts:
        job.status = JobStatus.FAILED
        job.finished_at = utcnow()
        hook = FAILURE_HOOKS.get(job.name)
        if hook:
            module_name, _, attr = hook.partition(":")
            from importlib import import_module

            getattr(import_module(module_name), attr)(session, job)
    else:
        job.status = JobStatus.PENDING
        job.available_at = utcnow() + backoff(job.attempts)
    session.add(job)
    session.commit()
    return job.status
