"""How long a person has been waiting for a prompt or a summary that is being written, in words.

Shown beside "being written" (the fragment polls, so it counts up): with deadlines per job kind, a wait
that grows is visible, and it ends failed with a retry button, never silently.
"""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from ..models import JobStatus, LessonSummary, OutboxJob, ReflectionPrompt, utcnow

UNFINISHED = (JobStatus.PENDING, JobStatus.QUEUED, JobStatus.RUNNING)


def in_words(seconds: float) -> str:
    """12 s, 3 min, 1 h 5 min."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def waited(job: OutboxJob | None, now: datetime | None = None) -> str | None:
    """How long the unfinished `job`'s work has been waited for (since it was asked for, or retried)."""
    if job is None or job.status not in UNFINISHED:
        return None
    started = job.started_at or job.created_at
    return in_words(((now or utcnow()) - started).total_seconds())


def prompt_waited(session: Session, prompt: ReflectionPrompt) -> str | None:
    job = session.exec(select(OutboxJob).where(OutboxJob.key == f"reflection-prompt:{prompt.work_key}")).first()
    return waited(job)


def summary_waited(session: Session, summary: LessonSummary) -> str | None:
    from ..summaries.transitions import latest_summary_job

    return waited(latest_summary_job(session, summary))
