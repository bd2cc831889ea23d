"""What admins see of background jobs: counts by status, recent and failed jobs, and retrying one."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from .. import jobs
from ..models import JobStatus, OutboxJob


class JobNotRetryable(ValueError):
    """Only a failed job can be retried by hand."""


@dataclass
class JobsOverview:
    counts: dict[str, int]
    jobs: list[OutboxJob]


def jobs_overview(session: Session, status: JobStatus | None = None, limit: int = 100) -> JobsOverview:
    counts = {status.value: 0 for status in JobStatus}
    for name, count in session.exec(select(OutboxJob.status, func.count()).group_by(OutboxJob.status)):
        counts[name] = count
    query = select(OutboxJob).order_by(col(OutboxJob.id).desc()).limit(limit)
    if status is not None:
        query = query.where(OutboxJob.status == status)
    return JobsOverview(counts=counts, jobs=list(session.exec(query)))


def retry_failed_job(session: Session, job_id: int) -> OutboxJob:
    """Put a failed job back in line (the caller commits). Raises LookupError or JobNotRetryable."""
    job = session.get(OutboxJob, job_id)
    if job is None:
        raise LookupError(job_id)
    if job.status != JobStatus.FAILED:
        raise JobNotRetryable(f"Job {job_id} is {job.status.value}; only failed jobs can be retried.")
    jobs.retry(session, job)
    return job
