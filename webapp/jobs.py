"""The only way the web side asks for background work: an outbox row, written in the caller's transaction.

The row is committed with the change that causes it; the outbox pump (or RQ cron's sweep) then hands
it to RQ, or runs it in-process when there is no Redis. A Redis outage therefore delays work, never loses it.
"""
from __future__ import annotations

from sqlmodel import Session, select

from .db import AfterCommit
from .models import JobStatus, OutboxJob, utcnow

# After a commit that wrote outbox rows, wake this process's pump so the job starts at once.
_listeners = []


def on_outbox_commit(callback) -> None:
    if callback not in _listeners:
        _listeners.append(callback)


def _wake_listeners() -> None:
    for callback in _listeners:
        callback()


_outbox_written = AfterCommit("outbox_written", _wake_listeners)


def enqueue(session: Session, name: str, key: str, *, fresh: bool = False, **payload) -> OutboxJob:
    """Add job `name` with `payload` to the session's transaction. The same `key` twice gives one job.

    `fresh`: the key names a row inserted in this same transaction, so no job can have it yet and the
    look-up is skipped (the unique key still guards it)."""
    if not fresh:
        existing = session.exec(select(OutboxJob).where(OutboxJob.key == key)).first()
        if existing is not None:
            return existing
    job = OutboxJob(name=name, key=key, payload=payload)
    session.add(job)
    _outbox_written.mark(session)
    return job


def retry(session: Session, job: OutboxJob) -> None:
    """Give a failed job a fresh set of attempts, rate-limit waits and deadline (a person asked for it from a page)."""
    job.status = JobStatus.PENDING
    job.attempts = 0
    job.rate_limit_waits = 0
    job.last_error = None
    job.available_at = job.started_at = utcnow()
    job.finished_at = None
    session.add(job)
    _outbox_written.mark(session)
