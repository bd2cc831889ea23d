"""A lead's actions on their team's lessons: summarise now, retry a failed summary."""
from __future__ import annotations

import re

from sqlalchemy import or_
from sqlmodel import Session, col, select

from ..db import take_write_lock
from ..jobs import retry
from ..models import ChallengeTeam, LessonSummary, OutboxJob, Role, SummaryStatus, User, utcnow
from .queries import led_team_ids

REQUEST_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class NotYourTeam(LookupError):
    """The user does not lead that team (or the team does not take part in that challenge)."""


class SummaryBusy(ValueError):
    """A summary for the team is already being written."""


def check_lead(session: Session, user: User, team_id: int) -> None:
    """Raises NotYourTeam unless the user leads `team_id` (admins may act for any team)."""
    if user.role != Role.ADMIN and team_id not in led_team_ids(session, user.id):
        raise NotYourTeam(team_id)


def summarise_now(session: Session, user: User, team_id: int, challenge_id: int, request_key: str) -> LessonSummary:
    """Ask for a summary of the team's lessons now (the caller commits); the form's key makes a double click count once.

    Raises NotYourTeam, or SummaryBusy when one is already being written.
    """
    from workers.summaries import request_summary

    take_write_lock(session)
    check_lead(session, user, team_id)
    # Locked until commit (PostgreSQL; on SQLite the write lock above): parallel requests for one team and
    # challenge take turns, so the "already being written" check below sees the summary a twin just started.
    if session.get(ChallengeTeam, (challenge_id, team_id), with_for_update=True) is None:
        raise NotYourTeam(team_id)
    if not REQUEST_KEY.match(request_key or ""):
        raise ValueError("request key")
    work_key = f"on_demand:{challenge_id}:{team_id}:{request_key}"
    existing = session.exec(select(LessonSummary).where(LessonSummary.work_key == work_key)).first()
    if existing is not None:
        return existing
    busy = session.exec(select(LessonSummary).where(
        LessonSummary.team_id == team_id, LessonSummary.challenge_id == challenge_id,
        LessonSummary.status == SummaryStatus.GENERATING)).first()
    if busy is not None:
        raise SummaryBusy("A summary of this team is already being written.")
    return request_summary(session, team_id=team_id, challenge_id=challenge_id, trigger="on_demand",
                           work_key=work_key, requested_by_id=user.id)


def summary_for_lead(session: Session, user: User, summary_id: int) -> LessonSummary:
    """The summary, if `user` leads its team or is an admin (to review or retry it). Raises NotYourTeam."""
    summary = session.get(LessonSummary, summary_id)
    if summary is None:
        raise NotYourTeam(summary_id)
    check_lead(session, user, summary.team_id)
    return summary


def retry_summary(session: Session, user: User, summary_id: int) -> LessonSummary:
    """Write a failed summary again (the caller commits). Raises NotYourTeam, or ValueError if not failed."""
    summary = summary_for_lead(session, user, summary_id)
    restart_summary(session, summary)
    return summary


def restart_summary(session: Session, summary: LessonSummary) -> OutboxJob | None:
    """Put a failed summary back to being written, by its latest job (the caller commits): a failed regeneration
    runs again with the lead's guidance, not the original. The lead's retry and the admin jobs page's both
    come here, so job and summary always agree. Raises ValueError if the summary has not failed."""
    if summary.status != SummaryStatus.FAILED:
        raise ValueError(f"Only a failed summary can be written again (this one is {summary.status.value}).")
    job = latest_summary_job(session, summary)
    if job is not None:
        retry(session, job)
    summary.status, summary.error, summary.updated_at = SummaryStatus.GENERATING, None, utcnow()
    session.add(summary)
    return job


def latest_summary_job(session: Session, summary: LessonSummary) -> OutboxJob | None:
    """The summary's newest job: its first writing, or its latest regeneration."""
    from workers.summaries import outbox_key

    base = outbox_key(summary)
    return session.exec(select(OutboxJob).where(
        or_(OutboxJob.key == base, col(OutboxJob.key).startswith(f"{base}:regenerate:", autoescape=True)))
        .order_by(col(OutboxJob.id).desc())).first()
