"""Times on pages in the viewer's own zone: Jinja filters reading the signed-in person's time zone."""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, g
from flask_login import current_user

from ..play.clock import user_zone

UTC_ZONE = ZoneInfo("UTC")


def viewer_zone() -> ZoneInfo:
    """The signed-in person's zone (UTC for visitors), looked up once per request."""
    if "viewer_zone" not in g:
        g.viewer_zone = user_zone(current_user) if current_user.is_authenticated else UTC_ZONE
    return g.viewer_zone


def in_zone(moment: datetime, zone: ZoneInfo) -> datetime:
    if moment.tzinfo is None:  # stored times are UTC; a naive one is read as such
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone)


def format_local(moment: datetime | date | None, zone: ZoneInfo, with_time: bool = True,
                 seconds: bool = False) -> str:
    """`2026-12-02 17:40 CET`, or the date alone; the zone's abbreviation says which clock it is."""
    if moment is None:
        return ""
    if not isinstance(moment, datetime):
        return moment.isoformat()
    local = in_zone(moment, zone)
    if not with_time:
        return local.strftime("%Y-%m-%d")
    return local.strftime("%Y-%m-%d %H:%M:%S %Z" if seconds else "%Y-%m-%d %H:%M %Z")


def init_app(app: Flask) -> None:
    app.jinja_env.filters["local_datetime"] = lambda moment, seconds=False: format_local(
        moment, viewer_zone(), seconds=seconds)
    app.jinja_env.filters["local_date"] = lambda moment: format_local(moment, viewer_zone(), with_time=False)
