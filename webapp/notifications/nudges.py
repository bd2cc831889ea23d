"""Nudges, each at most once per event: a streak about to end (in the person's evening), a challenge starting or
ending soon. A tick step: safe to run every minute, the outbox key and the (person, source) uniqueness keep each once.
The self-assessment "after" invitation is sent when a challenge closes (monitoring.skills)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from ..jobs import every_minute
from ..models import Challenge, ChallengeStatus, ChallengeTeam, Completion, CompletionStatus, Enrolment, User, utcnow
from ..play.clock import day_bounds
from ..settings import get_settings
from .delivery import notify
from .zones import zone, zones_at


@every_minute
def send_nudges(session: Session, now: datetime | None = None) -> int:
    """Tick step: ask for every nudge due now; returns how many notification jobs it asked for."""
    now = now or utcnow()
    settings = get_settings()
    return (challenges_soon(session, now, timedelta(hours=settings.nudge_ahead_hours))
            + streaks_at_risk(session, now, settings.streak_nudge_hour))


def challenges_soon(session: Session, now: datetime, ahead: timedelta) -> int:
    asked = 0
    starting = session.exec(select(Challenge).where(
        Challenge.status == ChallengeStatus.PUBLISHED, Challenge.starts_at > now, Challenge.starts_at <= now + ahead))
    for challenge in starting.all():
        teams = session.exec(select(ChallengeTeam.team_id).where(ChallengeTeam.challenge_id == challenge.id)).all()
        notify(session, "challenge_starting", f"“{challenge.title}” starts soon: get ready to join in.",
               source=f"challenge-starting-soon:{challenge.id}", team_ids=teams,
               link=f"/play/challenges/{challenge.id}")
        asked += 1
    ending = session.exec(select(Challenge).where(
        Challenge.status == ChallengeStatus.RUNNING, Challenge.ends_at > now, Challenge.ends_at <= now + ahead))
    for challenge in ending.all():
        enrolled = session.exec(select(Enrolment.user_id).where(Enrolment.challenge_id == challenge.id)).all()
        notify(session, "challenge_ending", f"“{challenge.title}” ends soon: there is still time for a mission "
                                            f"and a reflection.",
               source=f"challenge-ending-soon:{challenge.id}", user_ids=enrolled,
               link=f"/play/challenges/{challenge.id}")
        asked += 1
    return asked


def streaks_at_risk(session: Session, now: datetime, hour: int) -> int:
    """In each zone where it is `hour`: people who completed a mission yesterday (local) and nothing yet today."""
    asked = 0
    for name, local in zones_at(session, now, hour).items():
        today = local.date()
        today_start, _ = day_bounds(today, zone(name))
        yesterday_start, _ = day_bounds(today - timedelta(days=1), zone(name))
        at_risk = session.exec(
            select(Completion.user_id).join(User, User.id == Completion.user_id)
            .where(User.timezone == name, col(User.is_active).is_(True),
                   Completion.status == CompletionStatus.APPROVED,
                   Completion.created_at >= yesterday_start, Completion.created_at <= now)
            .group_by(Completion.user_id).having(func.max(Completion.created_at) < today_start)).all()
        if at_risk:
            notify(session, "streak", "Your streak ends tonight: complete a mission today to keep it going.",
                   source=f"streak:{today.isoformat()}", key=f"notify:streak:{name}:{today.isoformat()}",
                   user_ids=at_risk, link="/dashboard")
            asked += 1
    return asked
