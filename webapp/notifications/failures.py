"""A job that failed for good tells the person who was waiting for it (from the runner's failure path)."""
from __future__ import annotations

from sqlmodel import Session

from .. import jobs
from ..models import Completion, LessonSummary, OutboxJob, PeopleImport
from .delivery import store

# Jobs nobody waits for in person, or whose failure is told another way (a failed notification must not notify).
SILENT_JOBS = frozenset({jobs.NOTIFY, jobs.SEND_EMAIL, jobs.CHALLENGE_CLOSED})


def person_waiting(session: Session, job: OutboxJob) -> tuple[int | None, str]:
    """(user id, link) of the person a job's failure concerns; None when nobody in particular waits for it."""
    payload = job.payload or {}
    if job.name == jobs.PROMPT_FOR_COMPLETION:
        completion = session.get(Completion, payload.get("completion_id"))
        return (completion.user_id if completion else None), "/reflection/prompts"
    if job.name == jobs.PROMPT_FOR_PERIOD:
        return payload.get("user_id"), "/reflection/prompts"
    if job.name == jobs.SUMMARISE_TEAM:
        summary = session.get(LessonSummary, payload.get("summary_id")) if payload.get("summary_id") else None
        who = summary.requested_by_id if summary else payload.get("requested_by_id")
        return who, f"/reflection/summaries/{summary.id}" if summary else "/reflection/team"
    if job.name == jobs.PEOPLE_IMPORT:
        found = session.get(PeopleImport, payload.get("import_id")) if payload.get("import_id") else None
        return (found.created_by_id if found else None), "/admin/users"
    return payload.get("user_id"), "/dashboard"


def notify_job_failed(session: Session, job: OutboxJob, reason: str) -> None:
    """In-app (and email, if chosen) for the person concerned; once per failure of this job."""
    if job.name in SILENT_JOBS:
        return
    user_id, link = person_waiting(session, job)
    if not isinstance(user_id, int):
        return
    stamp = int(job.finished_at.timestamp()) if job.finished_at else 0
    store(session, "job_failed", [user_id], f"Something you asked for could not be done: {reason}",
          source=f"job-failed:{job.id}:{stamp}", link=link)
