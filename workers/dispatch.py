"""Hands committed outbox rows to RQ, and hands back rows whose run was lost (killed worker, lost enqueue)."""
from __future__ import annotations

import logging
from datetime import timedelta

from redis.exceptions import RedisError
from rq import Queue
from sqlalchemy import update
from sqlmodel import Session, col, select

from webapp.jobs import job_queue, redis_connection  # noqa: F401 - the RQ carriage, shared with /healthz
from webapp.models import JobStatus, OutboxJob, utcnow
from webapp.settings import Settings

from .job_pool import run_in_worker

log = logging.getLogger(__name__)

# Model jobs go to the worker's thread pool (see workers.job_pool), the rest run in the worker itself.
RUNNER = run_in_worker


def rq_job_id(job: OutboxJob) -> str:
    # One RQ job per attempt: a retry after a failure is a new RQ job, a repeated dispatch is not.
    return f"learnloop-outbox-{job.id}-{job.attempts}"


def due_jobs(session: Session, limit: int = 100, names: frozenset[str] | None = None,
             other_than: frozenset[str] | None = None) -> list[OutboxJob]:
    """Pending rows that are due, oldest first; only those `names`, or all but `other_than`, if given."""
    query = select(OutboxJob).where(OutboxJob.status == JobStatus.PENDING, OutboxJob.available_at <= utcnow())
    if names is not None:
        query = query.where(col(OutboxJob.name).in_(sorted(names)))
    if other_than is not None:
        query = query.where(col(OutboxJob.name).not_in(sorted(other_than)))
    return list(session.exec(query.order_by(col(OutboxJob.id)).limit(limit)))


def release_stale(session: Session, settings: Settings) -> int:
    """Rows queued or running for too long lost their run (a SIGKILLed worker, a crash before enqueue)."""
    cutoff = utcnow() - timedelta(seconds=settings.job_stale_seconds)
    result = session.exec(
        update(OutboxJob)
        .where(OutboxJob.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]), OutboxJob.claimed_at < cutoff)
        .values(status=JobStatus.PENDING, available_at=utcnow())
    )
    session.commit()
    return result.rowcount


def dispatch_pending(session: Session, settings: Settings, queue: Queue, limit: int = 100) -> int:
    """Enqueue due rows on RQ; returns how many were handed over. Stops quietly if Redis is down."""
    handed = 0
    for job in due_jobs(session, limit):
        claimed = session.exec(
            update(OutboxJob)
            .where(OutboxJob.id == job.id, OutboxJob.status == JobStatus.PENDING)
            .values(status=JobStatus.QUEUED, claimed_at=utcnow())
        )
        session.commit()
        if claimed.rowcount != 1:
            continue  # another dispatcher took it
        try:
            queue.enqueue(
                RUNNER,
                job.id,
                job.name,
                job_id=rq_job_id(job),
                job_timeout=max(180, int(settings.llm_timeout_seconds * (settings.llm_max_retries + 1) * 3)),
                result_ttl=3600,
                failure_ttl=7 * 24 * 3600,
            )
        except RedisError as error:
            log.warning("Redis unavailable, outbox job %s waits: %s", job.id, error)
            session.exec(
                update(OutboxJob)
                .where(OutboxJob.id == job.id, OutboxJob.status == JobStatus.QUEUED)
                .values(status=JobStatus.PENDING)
            )
            session.commit()
            break
        handed += 1
    return handed
