"""Asking for a team's lesson summary: a lead's "summarise now", the summary cadence, the challenge's close.

Each creates the summary (generating, the model's default) with its job, in the caller's transaction; its work
key makes a second request for the same thing free. The job (workers.summaries) then writes it.
"""
from __future__ import annotations

import re
from datetime import date

from sqlmodel import Session, select

from ..cadence import finished_periods
from ..db import take_write_lock
from ..jobs import SUMMARISE_TEAM, enqueue, every_minute, when_challenge_closes
from ..models import (
    Challenge, ChallengeTeam, LessonSummary, Reflection, SummaryStatus, User, Visibility,
)
from .access import NotYourTeam, check_lead

REQUEST_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class SummaryBusy(ValueError):
    """A summary for the team is already being written."""


def outbox_key(summary: LessonSummary) -> str:
    """The key of the summary's first job (a regeneration's adds `:regenerate:<revision>`)."""
    return f"lesson-summary:{summary.work_key}"


def request_summary(session: Session, *, team_id: int, challenge_id: int, trigger: str, work_key: str,
                    requested_by_id: int | None = None) -> LessonSummary:
    """The summary for `work_key`, created (generating) with its job if new; the caller commits."""
    summary = session.exec(select(LessonSummary).where(LessonSummary.work_key == work_key)).first()
    if summary is None:
        summary = LessonSummary(work_key=work_key, team_id=team_id, challenge_id=challenge_id, trigger=trigger,
                                requested_by_id=requested_by_id)
        session.add(summary)
        session.flush()
        enqueue(session, SUMMARISE_TEAM, outbox_key(summary), summary_id=summary.id)
    return summary


def summarise_now(session: Session, user: User, team_id: int, challenge_id: int, request_key: str) -> LessonSummary:
    """Ask for a summary of the team's lessons now (the caller commits); the form's key makes a double click count once.

    Raises NotYourTeam, or SummaryBusy when one is already being written.
    """
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


@every_minute
def summarise_at_cadence(session: Session, today: date | None = None) -> int:
    """One summary per team per finished day/week of a running challenge, if the team shared reflections in it.
    Returns how many were asked for (work keys make repeats free)."""
    asked = 0
    for challenge, period, start, end in finished_periods(session, Challenge.summary_cadence, today):
        teams = session.exec(select(Reflection.team_id).distinct().where(
            Reflection.challenge_id == challenge.id, Reflection.visibility == Visibility.TEAM,
            Reflection.created_at >= start, Reflection.created_at < end)).all()
        for team_id in teams:
            key = f"cadence:{challenge.id}:{team_id}:{period}"
            if session.exec(select(LessonSummary.id).where(LessonSummary.work_key == key)).first() is None:
                request_summary(session, team_id=team_id, challenge_id=challenge.id, trigger="cadence", work_key=key)
                asked += 1
    return asked


@when_challenge_closes
def summarise_at_close(session: Session, challenge: Challenge) -> None:
    """The final summary of every team taking part."""
    teams = session.exec(select(ChallengeTeam.team_id).where(ChallengeTeam.challenge_id == challenge.id)).all()
    for team_id in teams:
        request_summary(session, team_id=team_id, challenge_id=challenge.id, trigger="close",
                        work_key=f"close:{challenge.id}:{team_id}")
