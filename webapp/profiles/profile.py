"""The rules of a profile: what a person may change about themselves, and the time zones they choose from."""
from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from sqlmodel import Session

from ..problems import Invalid, Problem
from ..models import User


@lru_cache(maxsize=1)
def time_zones() -> tuple[str, ...]:
    """IANA zones a person can pick: the canonical Area/City names (no legacy aliases like US/Pacific)."""
    areas = ("Africa/", "America/", "Antarctica/", "Arctic/", "Asia/", "Atlantic/", "Australia/", "Europe/",
             "Indian/", "Pacific/")
    return tuple(sorted(zone for zone in available_timezones() if zone.startswith(areas)) + ["UTC"])


def is_time_zone(name: str) -> bool:
    return name in time_zones()


def update_profile(session: Session, user: User, display_name: str, timezone: str,
                   show_on_leaderboards: bool, show_name_in_library: bool) -> None:
    """Change what `user` may change about themselves (the caller commits). Raises Invalid naming each
    field at fault, and then changes nothing."""
    problems = []
    display_name = " ".join(display_name.split())
    if not display_name:
        problems.append(Problem(("display_name",), "is required"))
    elif len(display_name) > 120:
        problems.append(Problem(("display_name",), "must be at most 120 characters"))
    if not is_time_zone(timezone):
        problems.append(Problem(("timezone",), "choose a time zone from the list"))
    if problems:
        raise Invalid(problems)
    user.display_name = display_name
    user.timezone = timezone
    user.timezone_chosen = True
    user.show_on_leaderboards = show_on_leaderboards
    user.show_name_in_library = show_name_in_library
    session.add(user)


# What browsers report for UTC (a server or a container set to it), all the same zone as our "UTC".
UTC_ALIASES = {"Etc/UTC", "Etc/UCT", "Etc/GMT", "Etc/Universal", "Etc/Zulu", "GMT", "UCT", "Universal", "Zulu"}


def detect_time_zone(session: Session, user: User, timezone: str) -> bool:
    """Take the zone the browser reports, once: only while the person has never chosen one. True if taken."""
    timezone = "UTC" if timezone in UTC_ALIASES else timezone
    if user.timezone_chosen or not is_time_zone(timezone):
        return False
    ZoneInfo(timezone)  # raises for a name the zone database cannot load, before anything is stored
    user.timezone = timezone
    user.timezone_chosen = True
    session.add(user)
    return True
