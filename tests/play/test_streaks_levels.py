"""Streaks in each user's own time zone, across midnight; levels from the XP table."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from webapp.models import Completion
from webapp.play.levels import LEVELS, level_for
from webapp.play.streaks import streak_days


def add_completions(world, session, user, mission, *moments):
    for number, moment in enumerate(moments):
        session.add(Completion(idempotency_key=f"{user.id}-{number}", mission_id=mission.id,
                               challenge_id=world.challenge.id, user_id=user.id, team_id=world.team("red").id,
                               created_at=moment))
    session.commit()


def at(day, hour, minute=0):
    return datetime(2026, 5, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize("zone, expected", [
    # 23:30 UTC on the 1st and 00:30 UTC on the 3rd: in UTC those are days 1 and 3 (a gap, streak 1 today)...
    ("UTC", 1),
    # ...in Auckland (UTC+12) they are 11:30 on the 2nd and 12:30 on the 3rd, plus 4th: three days in a row.
    ("Pacific/Auckland", 3),
])
def test_streak_days_are_local_days(world, session, zone, expected):
    mission = world.mission(max_completions=None)
    ada = world.player("ada@example.com", team="red")
    ada.timezone = zone
    add_completions(world, session, ada, mission, at(1, 23, 30), at(3, 0, 30), at(3, 13, 0))
    assert streak_days(session, ada, now=at(3, 20)) == expected


def test_completions_either_side_of_local_midnight_make_two_days(world, session):
    mission = world.mission(max_completions=None)
    ada = world.player("ada@example.com")
    ada.timezone = "America/Los_Angeles"  # UTC-7 in May
    # 23:50 and 00:10 local time: 06:50 and 07:10 UTC on the 2nd.
    add_completions(world, session, ada, mission, at(2, 6, 50), at(2, 7, 10))
    assert streak_days(session, ada, now=at(2, 8)) == 2


def test_streak_survives_until_the_end_of_the_next_local_day(world, session):
    mission = world.mission(max_completions=None)
    ada = world.player("ada@example.com")
    ada.timezone = "Asia/Tokyo"  # UTC+9
    add_completions(world, session, ada, mission, at(1, 3), at(2, 3))  # noon local on the 1st and 2nd
    assert streak_days(session, ada, now=at(3, 14)) == 2  # 23:00 local on the 3rd: yesterday still counts
    assert streak_days(session, ada, now=at(3, 15, 30)) == 0  # 00:30 local on the 4th: broken


def test_unknown_time_zone_falls_back_to_utc(world, session):
    mission = world.mission(max_completions=None)
    ada = world.player("ada@example.com")
    ada.timezone = "Mars/Olympus"
    add_completions(world, session, ada, mission, at(1, 12), at(2, 12))
    assert streak_days(session, ada, now=at(2, 13)) == 2


def test_streak_counts_only_the_given_challenge(world, session):
    other = world.make_challenge("other")
    mission = world.mission(max_completions=None)
    ada = world.player("ada@example.com")
    add_completions(world, session, ada, mission, at(1, 12), at(2, 12))
    assert streak_days(session, ada, other.id, now=at(2, 13)) == 0


@pytest.mark.parametrize("xp, number, name, to_next", [
    (0, 1, "Newcomer", 50), (49, 1, "Newcomer", 1), (50, 2, "Explorer", 100), (1999, 6, "Catalyst", 1),
    (5000, len(LEVELS), "Luminary", None),
])
def test_levels_follow_the_xp_table(xp, number, name, to_next):
    level = level_for(xp)
    assert (level.number, level.name, level.to_next) == (number, name, to_next)
