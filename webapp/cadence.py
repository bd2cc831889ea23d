"""Daily and weekly cadences (of reflection prompts, of team summaries): the last finished period of each running
challenge that has one. Written once for both; each caller keys its work by the period's label, so a period's
work is asked for once however often the clock ticks."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, col, select

from .models import Cadence, Challenge, ChallengeStatus, utcnow


def last_period(cadence: Cadence, today: date) -> tuple[str, datetime, datetime]:
    """The last finished day (daily) or ISO week (weekly) before `today`, as (label, start, end) in UTC."""
    if cadence == Cadence.DAILY:
        day = today - timedelta(days=1)
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        return day.isoformat(), start, start + timedelta(days=1)
    monday = today - timedelta(days=today.weekday() + 7)
    start = datetime(monday.year, monday.month, monday.day, tzinfo=UTC)
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}", start, start + timedelta(days=7)


def finished_periods(session: Session, cadence_column, today: date | None = None
                     ) -> list[tuple[Challenge, str, datetime, datetime]]:
    """(challenge, label, start, end) of the last finished period of each running challenge whose
    `cadence_column` (Challenge.reflection_cadence or Challenge.summary_cadence) is daily or weekly."""
    today = today or utcnow().date()
    challenges = session.exec(select(Challenge).where(
        Challenge.status == ChallengeStatus.RUNNING, col(cadence_column).in_([Cadence.DAILY, Cadence.WEEKLY]))).all()
    return [(challenge, *last_period(getattr(challenge, cadence_column.key), today)) for challenge in challenges]
