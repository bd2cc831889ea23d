"""How every figure reads the rollups: brought up to date once per transaction, then limited to a scope
(conditions on challenge, team and whole UTC days; bit tests on the day bitmaps)."""
from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import BigInteger, and_, literal, or_, text
from sqlmodel import Session, col

from ...models import (
    Enrolment,
    MissionDay,
    MissionTotal,
    TeamDay,
    TeamTotal,
)
from ...models.monitoring import DAYS_PER_BLOCK
from ..rollups import freshen
from ..scope import Scope



BEST_AND_WORST = 5
EPOCH = date(1970, 1, 1)  # day 0 of the day bitmaps
READY = "monitoring.rollups_ready"  # session.info key: the transaction in which _ready ran


def _within(scope: Scope, model, moment) -> list:
    """Conditions limiting `model` (with challenge_id and team_id) to the scope, `moment` to the range."""
    conditions = []
    if scope.challenge_id is not None:
        conditions.append(model.challenge_id == scope.challenge_id)
    if scope.team_ids is not None:
        conditions.append(col(model.team_id).in_(scope.team_ids))
    if scope.start is not None:
        conditions.append(moment >= scope.start)
    if scope.end is not None:
        conditions.append(moment < scope.end)
    return conditions


def _enrolled(scope: Scope) -> list:
    """Enrolments counted: in scope and made before the end of the range."""
    return _within(Scope(scope.challenge_id, scope.team_ids, None, scope.end), Enrolment, Enrolment.enrolled_at)


def _ready(session: Session) -> None:
    """Bring the rollups up to date, then read them without PostgreSQL's JIT; once per transaction, so the
    figures of one dashboard check the high-water marks once, not once each.

    The planner costs the figures' joins and key probes high: compiling them took longer than running them
    (0.8 s of 2.3 s across challenges at the scale seed).
    """
    if session.info.get(READY) is session.get_transaction() is not None:
        return
    freshen(session)
    if session.get_bind().dialect.name == "postgresql":
        session.exec(text("SET LOCAL jit = off"))
    session.info[READY] = session.get_transaction()


def _utc_date(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def _days(scope: Scope, day) -> list:
    """Conditions limiting a rollup's `day` column to the scope's range (whole UTC days, end exclusive)."""
    conditions = []
    if scope.start is not None:
        conditions.append(day >= _utc_date(scope.start))
    if scope.end is not None:
        conditions.append(day < _utc_date(scope.end))
    return conditions


def _all_time(scope: Scope) -> bool:
    """No date range: the all-time rollups answer, whatever the challenge and team filters."""
    return scope.start is None and scope.end is None


def _per_team(scope: Scope):
    """Team sums: the daily rollup for a date range, the all-time one (a row per team, not per team-day) without."""
    return TeamTotal if _all_time(scope) else TeamDay


def _per_mission(scope: Scope):
    """Mission sums per team: daily for a date range, all-time without."""
    return MissionTotal if _all_time(scope) else MissionDay


def _rolled(scope: Scope, model) -> list:
    """Conditions limiting a rollup (with challenge_id, team_id, and day unless all-time) to the scope."""
    conditions = [] if _all_time(scope) else _days(scope, model.day)
    if scope.challenge_id is not None:
        conditions.append(model.challenge_id == scope.challenge_id)
    if scope.team_ids is not None:
        conditions.append(col(model.team_id).in_(scope.team_ids))
    return conditions


def _day_numbers(scope: Scope) -> tuple[int | None, int | None]:
    """The range's first and last UTC day (both included) as days from 1970-01-01; None where it is open."""
    first = (_utc_date(scope.start) - EPOCH).days if scope.start is not None else None
    last = (_utc_date(scope.end) - EPOCH).days - 1 if scope.end is not None else None
    return first, last


def _blocks(scope: Scope, block) -> list:
    """Conditions keeping the day bitmap rows (`block`) that hold days of the range."""
    first, last = _day_numbers(scope)
    return [*([block >= first // DAYS_PER_BLOCK] if first is not None else []),
            *([block <= last // DAYS_PER_BLOCK] if last is not None else [])]


def _mask(low: int, high: int) -> int:
    """Bits low..high (both included) set."""
    return ((1 << (high + 1)) - 1) ^ ((1 << low) - 1)


def _some_day(scope: Scope, days, block):
    """The day bitmap `days` of `block` has a day in the range: at most three bit tests, however long the range."""
    first, last = _day_numbers(scope)
    low = None if first is None else divmod(first, DAYS_PER_BLOCK)
    high = None if last is None else divmod(last, DAYS_PER_BLOCK)

    def any_of(block_number: int, mask: int):
        return and_(block == block_number, days.op("&")(literal(mask, BigInteger)) != 0)

    top = DAYS_PER_BLOCK - 1
    if low is not None and high is not None and low[0] == high[0]:
        return any_of(low[0], _mask(low[1], high[1]))
    parts, between = [], [days != 0]
    if low is not None:
        parts.append(any_of(low[0], _mask(low[1], top)))
        between.append(block > low[0])
    if high is not None:
        parts.append(any_of(high[0], _mask(0, high[1])))
        between.append(block < high[0])
    return or_(*parts, and_(*between))


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None
