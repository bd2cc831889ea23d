"""Streaks: consecutive local days with at least one completed mission, in the user's own time zone."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, select

from ..models import Completion, CompletionStatus, User, utcnow
from .clock import local_date, user_zone

# A streak longer than this is not counted further (no challenge runs that long); bounds the query.
MAX_STREAK_DAYS = 366


def streak_days(session: Session, user: User, challenge_id: int | None = None, now: datetime | None = None) -> int:
    """Days in a row, ending today or yesterday (local), on which the user completed a mission.

    A streak survives until the end of the next local day: completing something today extends it,
    and yesterday's streak still counts until midnight tonight in the user's zone.
    """
    days, today = played_days(session, user, challenge_id, now)
    return streak_from(days, today)


def played_days(session: Session, user: User, challenge_id: int | None = None,
                now: datetime | None = None) -> tuple[set[date], date]:
    """The local days (within the longest countable streak) on which the user completed a mission, and today."""
    now = now or utcnow()
    zone = user_zone(user)
    window = [Completion.user_id == user.id, Completion.created_at >= now - timedelta(days=MAX_STREAK_DAYS + 1),
              Completion.created_at <= now, Completion.status == CompletionStatus.APPROVED]
    if challenge_id is not None:
        window.append(Completion.challenge_id == challenge_id)
    read_days = LOCAL_DAYS_BY_DIALECT.get(session.get_bind().dialect.name, _local_days_in_python)
    return read_days(session, zone, window), local_date(now, zone)


def streak_from(days: set[date], today: date) -> int:
    cursor = today if today in days else today - timedelta(days=1)
    streak = 0
    while cursor in days:
        streak += 1
        cursor -= timedelta(days=1)
    return streak


def last_week(days: set[date], today: date) -> list[tuple[date, bool]]:
    """The seven local days ending today, oldest first, each with whether the user played on it."""
    return [(today - timedelta(days=back), today - timedelta(days=back) in days) for back in range(6, -1, -1)]


def _local_days_in_python(session: Session, zone: ZoneInfo, window: list) -> set[date]:
    return {local_date(moment, zone) for moment in session.exec(select(Completion.created_at).where(*window))}


def _local_days_in_postgresql(session: Session, zone: ZoneInfo, window: list) -> set[date]:
    """PostgreSQL turns moments into local days itself, so a busy player's hundreds of completions
    come back as at most a year of distinct days and the cost stays flat as their history grows."""
    local_day = func.date(func.timezone(zone.key, Completion.created_at))
    return set(session.exec(select(local_day).where(*window).distinct()))


LOCAL_DAYS_BY_DIALECT = {"postgresql": _local_days_in_postgresql}
