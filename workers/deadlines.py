"""Job deadlines: each job kind must end (done, or failed with a retry button) this long after it was asked for.

The runner sets the running job's deadline here; the OpenAI writer reads it to cut each request's timeout and
its own retries to the time left, so no sum of timeouts, retries, attempts and backoff outlives the deadline.
"""
from __future__ import annotations

import contextvars
from contextlib import contextmanager
from datetime import datetime, timedelta

from webapp.jobs import PROMPT, SUMMARY, declared
from webapp.models import OutboxJob, utcnow
from webapp.settings import Settings


_current: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("job_deadline", default=None)


class OutOfTime(Exception):
    """The job's deadline passed: it ends failed at once, with no further attempt."""

    retryable = False
    plain = "Writing it took longer than the time allowed. You can ask for it again."

    def __init__(self, detail: str):
        super().__init__(detail)


def deadline_seconds(job_name: str, settings: Settings) -> int:
    try:
        waits_on = declared(job_name).waits_on
    except KeyError:
        waits_on = None
    if waits_on == PROMPT:
        return settings.job_deadline_prompt_seconds
    if waits_on == SUMMARY:
        return settings.job_deadline_summary_seconds
    return settings.job_deadline_seconds


def deadline_of(job: OutboxJob, settings: Settings) -> datetime:
    return (job.started_at or job.created_at) + timedelta(seconds=deadline_seconds(job.name, settings))


@contextmanager
def running_until(deadline: datetime):
    """Code in this block (the job) sees `deadline` through `seconds_left()`."""
    token = _current.set(deadline)
    try:
        yield
    finally:
        _current.reset(token)


def seconds_left() -> float | None:
    """Seconds until the running job's deadline (negative once passed); None outside a job."""
    deadline = _current.get()
    if deadline is None:
        return None
    return (deadline - utcnow()).total_seconds()
