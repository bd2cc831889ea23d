"""Streaks, local days and levels at their edges: midnight and daylight-saving changes in the person's own
zone, the moment a streak is counted at, and every level threshold."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from webapp.models import Completion, User
from webapp.play.clock import day_bounds, local_date, user_zone
from webapp.play.levels import LEVELS, level_for
from webapp.play.streaks import streak_days


def played(world, session, user, *moments, challenge=None, mission=None):
    mission = mission or world.mission(f"m{user.id}-{len(moments)}-{moments[0]:%H%M%S}", max_completions=None,
                                       challenge=challenge)
    for moment in moments:
        session.add(Completion(idempotency_key=f"{user.id}-{moment.isoformat()}", mission_id=mission.id,
                               challenge_id=mission.challenge_id, user_id=user.id, team_id=world.team("red").id,
                               created_at=moment))
    session.commit()


def player_in(world, session, zone):
    user = world.player(f"{zone.replace('/', '-').lower()}@example.com")
    user.timezone = zone
    session.add(user)
    session.commit()
    return user


def test_a_streak_runs_across_the_night_daylight_saving_starts(world, session):
    ada = player_in(world, session, "Europe/Berlin")  # 29 March 2026: 02:00 becomes 03:00
    # 23:30 local on the 28th (UTC+1), 00:30 and 23:30 local on the 29th (UTC+1 then UTC+2), noon on the 30th.
    played(world, session, ada, datetime(2026, 3, 28, 22, 30, tzinfo=UTC), datetime(2026, 3, 28, 23, 30, tzinfo=UTC),
           datetime(2026, 3, 29, 21, 30, tzinfo=UTC), datetime(2026, 3, 30, 10, 0, tzinfo=UTC))
    assert streak_days(session, ada, now=datetime(2026, 3, 30, 12, 0, tzinfo=UTC)) == 3
    # After the change the local day ends at 22:00 UTC: 22:30 UTC on the 29th is 00:30 on the 30th in Berlin.
    assert local_date(datetime(2026, 3, 29, 22, 30, tzinfo=UTC), user_zone(ada)) == date(2026, 3, 30)


def test_a_streak_runs_across_the_night_daylight_saving_ends(world, session):
    ada = player_in(world, session, "America/New_York")  # 1 November 2026: 02:00 becomes 01:00, a 25-hour day
    # 23:30 local on 31 October (UTC-4), then 23:30 local on 1 November (UTC-5): two local days in a row.
    played(world, session, ada, datetime(2026, 11, 1, 3, 30, tzinfo=UTC), datetime(2026, 11, 2, 4, 30, tzinfo=UTC))
    just_before_midnight = datetime(2026, 11, 2, 4, 59, tzinfo=UTC)  # 23:59 local on 1 November
    assert streak_days(session, ada, now=just_before_midnight) == 2
    start, end = day_bounds(date(2026, 11, 1), user_zone(ada))
    assert (start, end) == (datetime(2026, 11, 1, 4, 0, tzinfo=UTC), datetime(2026, 11, 2, 5, 0, tzinfo=UTC))
    assert end - start == timedelta(hours=25)


def test_the_day_daylight_saving_starts_is_23_hours_long(world):
    start, end = day_bounds(date(2026, 3, 29), ZoneInfo("Europe/Berlin"))
    assert (start, end) == (datetime(2026, 3, 28, 23, 0, tzinfo=UTC), datetime(2026, 3, 29, 22, 0, tzinfo=UTC))
    assert start.tzinfo == UTC and end.tzinfo == UTC


def test_a_completion_counts_for_the_streak_from_the_moment_it_is_made(world, session):
    ada = player_in(world, session, "UTC")
    moment = datetime(2026, 5, 2, 9, 0, tzinfo=UTC)
    played(world, session, ada, moment - timedelta(days=1), moment)
    assert streak_days(session, ada, now=moment) == 2
    # Looked at a second earlier, today's completion has not happened yet: yesterday's streak of 1 holds.
    assert streak_days(session, ada, now=moment - timedelta(seconds=1)) == 1


def test_the_streak_starts_today_when_i_played_today_else_yesterday(world, session):
    ada = player_in(world, session, "UTC")
    played(world, session, ada, datetime(2026, 5, 1, 9, 0, tzinfo=UTC), datetime(2026, 5, 3, 9, 0, tzinfo=UTC))
    assert streak_days(session, ada, now=datetime(2026, 5, 3, 10, 0, tzinfo=UTC)) == 1  # today only: the 2nd is a gap
    assert streak_days(session, ada, now=datetime(2026, 5, 2, 10, 0, tzinfo=UTC)) == 1  # yesterday still counts
    assert streak_days(session, ada, now=datetime(2026, 5, 5, 0, 0, tzinfo=UTC)) == 0


def test_a_streak_counts_every_challenge_unless_one_is_named(world, session):
    other = world.make_challenge("other")
    ada = player_in(world, session, "UTC")
    from webapp.models import Enrolment

    session.add(Enrolment(challenge_id=other.id, user_id=ada.id, team_id=world.team("red").id))
    session.commit()
    played(world, session, ada, datetime(2026, 5, 1, 9, 0, tzinfo=UTC))
    played(world, session, ada, datetime(2026, 5, 2, 9, 0, tzinfo=UTC), challenge=other)
    now = datetime(2026, 5, 2, 12, 0, tzinfo=UTC)
    assert streak_days(session, ada, now=now) == 2
    assert streak_days(session, ada, world.challenge.id, now=now) == 1
    assert streak_days(session, ada, other.id, now=now) == 1


def test_someone_elses_completions_are_not_my_streak(world, session):
    ada, bo = player_in(world, session, "UTC"), world.player("bo@example.com")
    played(world, session, bo, datetime(2026, 5, 1, 9, 0, tzinfo=UTC), datetime(2026, 5, 2, 9, 0, tzinfo=UTC))
    assert streak_days(session, ada, now=datetime(2026, 5, 2, 12, 0, tzinfo=UTC)) == 0


def test_a_streak_is_counted_back_a_year_at_most(world, session):
    ada = player_in(world, session, "UTC")
    now = datetime(2026, 5, 2, 12, 0, tzinfo=UTC)
    played(world, session, ada, *(now - timedelta(days=back, hours=1) for back in range(400)))
    # The days inside the window: today and the 366 before it.
    assert streak_days(session, ada, now=now) == 367


@pytest.mark.parametrize("zone", [None, "", "Mars/Olympus", "../etc/passwd"])
def test_a_missing_or_unknown_zone_is_utc(zone):
    assert user_zone(User(email="x@example.com", display_name="X", password_hash="-", timezone=zone)) == ZoneInfo("UTC")


def test_a_known_zone_is_used(world):
    assert user_zone(User(email="x@example.com", display_name="X", password_hash="-",
                          timezone="Asia/Kolkata")) == ZoneInfo("Asia/Kolkata")


@pytest.mark.parametrize("position", range(len(LEVELS)))
def test_each_level_starts_exactly_at_its_threshold(position):
    needed, name = LEVELS[position]
    level = level_for(needed)
    assert (level.number, level.name, level.xp, level.floor) == (position + 1, name, needed, needed)
    if position + 1 < len(LEVELS):
        assert level.next_at == LEVELS[position + 1][0]
        assert level.to_next == LEVELS[position + 1][0] - needed
    else:
        assert level.next_at is None and level.to_next is None
    if position:
        below = level_for(needed - 1)
        assert (below.number, below.name, below.floor, below.next_at, below.to_next) == (
            position, LEVELS[position - 1][1], LEVELS[position - 1][0], needed, 1)


def test_xp_below_zero_after_an_adjustment_is_still_the_first_level():
    level = level_for(-5)
    assert (level.number, level.name, level.floor, level.next_at) == (1, LEVELS[0][1], 0, LEVELS[1][0])


@pytest.fixture
def server_in_tokyo(monkeypatch):
    """The server's own zone set far from UTC: a day or a bound must never come from it."""
    import time

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_day_bounds_are_utc_whatever_the_servers_own_zone(server_in_tokyo):
    start, end = day_bounds(date(2026, 3, 29), ZoneInfo("Europe/Berlin"))
    assert (start.isoformat(), end.isoformat()) == ("2026-03-28T23:00:00+00:00", "2026-03-29T22:00:00+00:00")


def test_my_local_day_is_not_the_servers_local_day(server_in_tokyo):
    # 20:00 UTC on 1 May is 2 May in Tokyo but still 1 May in New York.
    assert local_date(datetime(2026, 5, 1, 20, 0, tzinfo=UTC), ZoneInfo("America/New_York")) == date(2026, 5, 1)
    assert local_date(datetime(2026, 5, 1, 20, 0, tzinfo=UTC), user_zone(User(
        email="x@example.com", display_name="X", password_hash="-", timezone=None))) == date(2026, 5, 1)
