"""The day bitmaps behind date ranges: one bit per UTC day, rows of 62 days, ranges within and across rows."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from webapp.models import (
    ActivityDayBits,
    Completion,
    MissionCompleterDayBits,
    PointEvent,
    PointReason,
    Reflection,
)
from webapp.models.monitoring import DAYS_PER_BLOCK
from webapp.monitoring import figures, rollups
from webapp.monitoring.scope import Scope

from .conftest import DAY1, DAY2, DAY3
from .test_all_time import reflect
from .test_rollups import a_mission, complete


def bit(day) -> tuple[int, int]:
    """(block, bit) of a UTC day, worked out in Python."""
    number = ((date.fromisoformat(day) if isinstance(day, str) else day) - date(1970, 1, 1)).days
    return number // DAYS_PER_BLOCK, 1 << (number % DAYS_PER_BLOCK)


def activity_bits(session) -> dict:
    session.expire_all()
    return {(r.challenge_id, r.user_id, r.block): (r.active, r.completed, r.reflected)
            for r in session.exec(select(ActivityDayBits))}


def expected_activity_bits(session) -> dict:
    """The bitmaps the ledger implies, worked out row by row in Python."""
    expected: dict = {}
    for model, flags in ((PointEvent, (1, 0, 0)), (Completion, (1, 1, 0)), (Reflection, (0, 0, 1))):
        for row in session.exec(select(model)):
            block, day = bit(row.created_at.astimezone(UTC).date())
            key = (row.challenge_id, row.user_id, block)
            expected[key] = tuple(bits | (day if flag else 0)
                                  for bits, flag in zip(expected.get(key, (0, 0, 0)), flags))
    return expected


def mission_bits(session) -> dict:
    session.expire_all()
    return {(r.mission_id, r.user_id, r.block): r.days for r in session.exec(select(MissionCompleterDayBits))}


def expected_mission_bits(session) -> dict:
    expected: dict = {}
    for row in session.exec(select(Completion)):
        block, day = bit(row.created_at.astimezone(UTC).date())
        key = (row.mission_id, row.user_id, block)
        expected[key] = expected.get(key, 0) | day
    return expected


def test_the_world_spans_two_rows_of_days():
    """DAY1 and DAY2 share a row, DAY3 starts the next one: the range tests below cross a row's edge."""
    assert bit(DAY1.date())[0] == bit(DAY2.date())[0] == bit(DAY3.date())[0] - 1
    assert bit(DAY3.date())[1] == 1


def test_bitmaps_agree_with_the_ledger_after_small_batches_and_new_rows(session, world):
    rollups.catch_up(session, batch=2)
    r1 = world.people["r1"]
    block, day1 = bit(DAY1.date())
    _, day2 = bit(DAY2.date())
    # r1 in A: completions on day 1 and day 2, the reflection on day 1.
    assert activity_bits(session)[(world.a, r1, block)] == (day1 | day2, day1 | day2, day1)
    late = complete(session, world, "b2", "b2-late", a_mission(session, world))
    reflect(session, world, "b2", late, DAY3 + timedelta(hours=2))
    session.add(PointEvent(user_id=world.people["b2"], team_id=world.blue, challenge_id=world.a, amount=2,
                           reason=PointReason.KUDOS_RECEIVED, source_type="kudos", source_id=2,
                           created_at=DAY1 + timedelta(days=40)))
    session.commit()
    rollups.catch_up(session, batch=2)
    assert activity_bits(session) == expected_activity_bits(session)
    assert mission_bits(session) == expected_mission_bits(session)


def day(moment: datetime) -> datetime:
    return datetime.combine(moment.date(), datetime.min.time(), UTC)


def people(session, scope) -> tuple[int, int, int, int]:
    funnel = figures.funnel(session, scope)
    return funnel.enrolled, funnel.active, funnel.completed, funnel.reflected


def test_ranges_within_and_across_rows_of_days(session, world):
    a = world.a
    # Day 2 to day 3 (across rows): r1 completed and r3 got kudos on day 2, r2 completed and b1 reflected on day 3.
    across = Scope(challenge_id=a, start=day(DAY2), end=day(DAY3) + timedelta(days=1))
    assert people(session, across) == (5, 3, 2, 1)
    assert [(m.title, m.completers) for m in figures.missions(session, across)] == [
        ("Read a postmortem", 2), ("Share a lesson", 1), ("Help a teammate", 0)]
    # From day 3 on (open end): r2 and b1 only.
    assert people(session, Scope(challenge_id=a, start=day(DAY3))) == (5, 1, 1, 1)
    # Up to day 1 (open start): r1 and b1 completed, r1 reflected.
    assert people(session, Scope(challenge_id=a, end=day(DAY2))) == (5, 2, 2, 1)
    # Between day 2 and day 3, nothing happened.
    assert people(session, Scope(challenge_id=a, start=day(DAY2) + timedelta(days=1), end=day(DAY3))) == (5, 0, 0, 0)
