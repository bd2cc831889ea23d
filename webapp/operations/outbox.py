"""What admins see of background jobs: counts by status, recent and failed jobs, and retrying one."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from .. import jobs
from ..models import JobStatus, LessonSummary, LlmCall, OutboxJob, ReflectionPrompt, utcnow


class JobNotRetryable(ValueError):
    """Only a failed job can be retried by hand."""


ALERT_WINDOW = timedelta(hours=24)


@dataclass
class JobsOverview:
    counts: dict[str, int]
    jobs: list[OutboxJob]
    alerts: list[str] = field(default_factory=list)


def jobs_overview(session: Session, status: JobStatus | None = None, limit: int = 100) -> JobsOverview:
    counts = {status.value: 0 for status in JobStatus}
    for name, count in session.exec(select(OutboxJob.status, func.count()).group_by(OutboxJob.status)):
        counts[name] = count
    query = select(OutboxJob).order_by(col(OutboxJob.id).desc()).limit(limit)
    if status is not None:
        query = query.where(OutboxJob.status == status)
    return JobsOverview(counts=counts, jobs=list(session.exec(query)), alerts=job_alerts(session))


def job_alerts(session: Session, now: datetime | None = None) -> list[str]:
    """What an admin must act on, from the last 24 hours: an exhausted LLM quota (no retry helps until someone
    adds credit or changes the key), and jobs that ended failed."""
    since = (now or utcnow()) - ALERT_WINDOW
    alerts = []
    refused, last = session.exec(select(func.count(), func.max(LlmCall.created_at)).where(
        LlmCall.outcome == "quota", LlmCall.created_at >= since)).one()
    if refused:
        alerts.append(f"The LLM server refused {refused} call{'s' if refused != 1 else ''} because the account's "
                      f"quota is used up (insufficient_quota), the last at {last:%Y-%m-%d %H:%M} UTC. Add credit "
                      "or change OPENAI_API_KEY, then retry the failed jobs below.")
    failed = session.exec(select(func.count()).select_from(OutboxJob).where(
        OutboxJob.status == JobStatus.FAILED, OutboxJob.finished_at >= since)).one()
    if failed:
        alerts.append(f"{failed} job{'s' if failed != 1 else ''} ended failed in the last 24 hours; the people "
                      "waiting were shown a retry button.")
    return alerts


def retry_failed_job(session: Session, job_id: int) -> OutboxJob:
    """Put a failed job back in line (the caller commits); returns the job that will run. Raises LookupError or
    JobNotRetryable.

    A job that writes a prompt or a summary is retried as the person waiting for it would retry it (the same
    function), so the job and what it writes end in the same state; that may rerun the summary's latest job
    (a regeneration, with the lead's guidance) rather than this older one."""
    job = session.get(OutboxJob, job_id)
    if job is None:
        raise LookupError(job_id)
    if job.status != JobStatus.FAILED:
        raise JobNotRetryable(f"Job {job_id} is {job.status.value}; only failed jobs can be retried.")
    subject_retry = _SUBJECT_RETRIES.get(job.name)
    if subject_retry is None:
        jobs.retry(session, job)
        return job
    try:
        return subject_retry(session, job) or job
    except ValueError as error:
        raise JobNotRetryable(f"Job {job_id}: {error}") from error


def _retry_prompt_of(session: Session, job: OutboxJob) -> OutboxJob | None:
    from ..reflection.answers import restart_prompt

    prompt = session.exec(select(ReflectionPrompt).where(
        ReflectionPrompt.work_key == job.key.removeprefix("reflection-prompt:"))).first()
    if prompt is None:  # the job failed before it wrote its prompt: nothing else to put back
        jobs.retry(session, job)
        return job
    return restart_prompt(session, prompt)


def _retry_summary_of(session: Session, job: OutboxJob) -> OutboxJob | None:
    from ..summaries.transitions import restart_summary

    summary = session.get(LessonSummary, job.payload.get("summary_id"))
    if summary is None:
        raise ValueError("its summary was deleted.")
    return restart_summary(session, summary)


_SUBJECT_RETRIES = {
    jobs.PROMPT_FOR_COMPLETION: _retry_prompt_of,
    jobs.PROMPT_FOR_PERIOD: _retry_prompt_of,
    jobs.SUMMARISE_TEAM: _retry_summary_of,
}
