"""Runs one outbox job: claim the row, call the job function, record the outcome.

The outbox row, not RQ, owns a job's state and its retries, so the same rules hold with RQ and without it:
a job is claimed atomically (a second delivery of the same job does nothing), a failure is retried with
backoff until `JOB_MAX_ATTEMPTS`, then marked failed for a person to see and retry. Whatever the attempts,
retries and waits add up to, a job ends by its kind's deadline (workers.deadlines); an error that waiting
cannot cure (`retryable = False`, e.g. an exhausted quota) fails it at once.
"""
from __future__ import annotations

import logging
import traceback
from datetime import timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from webapp import jobs
from webapp.db import get_engine
from webapp.models import JobStatus, OutboxJob, utcnow
from webapp.settings import Settings, get_settings

from .deadlines import OutOfTime, deadline_of, deadline_seconds, running_until

log = logging.getLogger(__name__)

# What the person waiting is told when a job fails; the detail stays in the job's last error, for admins.
PLAIN_FAILURE = "Something went wrong while writing it. You can ask for it again."


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
        deadline = deadline_of(job, settings)
        try:
            if utcnow() >= deadline:
                raise OutOfTime(f"not started within its deadline of {deadline_seconds(job.name, settings)} s")
            with running_until(deadline):
                jobs.declared(job.name).run(session, job=job, **job.payload)
            job.status = JobStatus.DONE
            job.finished_at = utcnow()
            job.last_error = None
            session.add(job)
            session.commit()  # the job's own writes and its "done" land together
            return job.status
        except Reschedule as later:
            session.rollback()
            return _reschedule(session, job_id, later, settings)
        except Exception as error:  # noqa: BLE001 - any failure of the job is recorded, then retried
            session.rollback()
            log.warning("job %s (%s) failed: %s", job_id, job.name, error)
            return _record_failure(session, job_id, error, settings)


def _reschedule(session: Session, job_id: int, later: Reschedule, settings: Settings) -> str:
    job = session.get(OutboxJob, job_id)
    job.rate_limit_waits += 1
    job.attempts = max(0, job.attempts - 1)
    job.last_error = str(later)[:2000]
    available_at = utcnow() + timedelta(seconds=later.delay_seconds)
    if job.rate_limit_waits > settings.llm_rate_limit_waits:
        return _fail(session, job, f"{later} (gave up after {settings.llm_rate_limit_waits} rate-limit waits)",
                     "The AI service is busy and kept asking us to wait. You can ask for it again later.")
    if available_at >= deadline_of(job, settings):
        return _fail(session, job, f"{later}; the wait would end after the job's deadline",
                     "The AI service is busy and asked us to wait past the time allowed. You can ask for it again.")
    job.status = JobStatus.PENDING
    job.available_at = available_at
    session.add(job)
    session.commit()
    return job.status


def _record_failure(session: Session, job_id: int, error: Exception, settings: Settings) -> str:
    job = session.get(OutboxJob, job_id)
    detail = "".join(traceback.format_exception_only(error)).strip()[:2000]
    retry_at = utcnow() + backoff(job.attempts)
    if (job.attempts >= settings.job_max_attempts or getattr(error, "retryable", True) is False
            or retry_at >= deadline_of(job, settings)):
        return _fail(session, job, detail, plain_reason(error))
    job.last_error = detail
    job.status = JobStatus.PENDING
    job.available_at = retry_at
    session.add(job)
    session.commit()
    return job.status


def plain_reason(error: Exception) -> str:
    """What the person waiting is told: the error's own plain sentence if it has one (`plain`)."""
    return getattr(error, "plain", None) or PLAIN_FAILURE


def _fail(session: Session, job: OutboxJob, detail: str, reason: str) -> str:
    """End `job` failed: the detail for admins, the plain reason through its failure hook; commits."""
    job.status = JobStatus.FAILED
    job.finished_at = utcnow()
    job.last_error = detail[:2000]
    declared = jobs.all_declared().get(job.name)
    if declared is not None and declared.on_failure is not None:
        declared.on_failure(session, job, reason)
    from webapp.notifications.failures import notify_job_failed

    notify_job_failed(session, job, reason)
    session.add(job)
    session.commit()
    return job.status


def fail_overdue(session: Session, settings: Settings, grace_seconds: float = 15.0) -> int:
    """End failed every unfinished job past its deadline: waiting ones at once, running ones after `grace_seconds`
    (a run cuts its own calls to the deadline; one still running then hangs, or its worker died). Returns how many."""
    now = utcnow()
    shortest = min(settings.job_deadline_prompt_seconds, settings.job_deadline_summary_seconds,
                   settings.job_deadline_seconds)
    candidates = session.exec(select(OutboxJob).where(
        col(OutboxJob.status).in_([JobStatus.PENDING, JobStatus.QUEUED, JobStatus.RUNNING]),
        OutboxJob.started_at < now - timedelta(seconds=shortest))).all()
    failed = 0
    for job in candidates:
        was = job.status
        grace = timedelta(seconds=grace_seconds if was == JobStatus.RUNNING else 0)
        if now < deadline_of(job, settings) + grace:
            continue
        ended = session.exec(update(OutboxJob).where(OutboxJob.id == job.id, OutboxJob.status == was)
                             .values(status=JobStatus.FAILED, finished_at=now))
        if ended.rowcount != 1:
            session.rollback()
            continue
        seconds = deadline_seconds(job.name, settings)
        _fail(session, job, f"not finished within its deadline of {seconds} s (was {was.value})",
              OutOfTime.plain)
        failed += 1
    return failed
