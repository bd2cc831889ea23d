"""Which people's local clock shows a given hour now: the hourly scheduler runs in UTC, people do not."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, col, select

from ..models import User


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def zones_at(session: Session, now: datetime, hour: int, weekday: int | None = None) -> dict[str, datetime]:
    """Zone name (as people stored it) -> local time now, for the zones of active people where it is `hour`
    (and `weekday`, 0 Monday, if given)."""
    names = session.exec(select(User.timezone).where(col(User.is_active).is_(True)).distinct()).all()
    found = {}
    for name in names:
        local = now.astimezone(zone(name))
        if local.hour == hour and (weekday is None or local.weekday() == weekday):
            found[name] = local
    return found


def iso_week(local: datetime) -> str:
    year, week, _ = local.isocalendar()
    return f"{year}-W{week:02d}"
