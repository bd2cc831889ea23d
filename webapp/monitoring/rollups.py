"""Keeps the dashboard rollups (webapp/models/monitoring.py) up to date from ledger, completion and reflection rows.

New rows are found by id above a high-water mark per source and summed in SQL (INSERT ... SELECT ... GROUP BY
... ON CONFLICT DO UPDATE), a batch at a time. A refresh first locks the single rollup_state row, so two
refreshes (the minute tick, a dashboard catching up) never count the same rows twice.
"""
from __future__ import annotations

import time
from datetime import datetime, timedelta

from sqlalchemy import BigInteger, Date, Integer, and_, cast, delete, func, literal, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from ..jobs import every_minute
from ..models import (
    ActivityDayBits,
    ActivityTotal,
    Completion,
    CompletionStatus,
    MissionCompleter,
    MissionCompleterDayBits,
    MissionDay,
    MissionTotal,
    PointEvent,
    Reflection,
    ReflectionPrompt,
    RollupState,
    TeamDay,
    TeamTotal,
    utcnow,
)
from ..models.monitoring import DAYS_PER_BLOCK

BATCH = 50_000  # rows of each source per refresh: one transaction stays short even after a bulk load
SYNC_LIMIT = 5_000  # a dashboard catches up by itself when at most this many rows wait; more is the tick's job
TICK_BUDGET_SECONDS = 30
# An id missing below the mark belongs to a transaction still writing (it is read again later) or to one that
# rolled back (it never appears). No request holds a transaction open this long.
GAP_PATIENCE = timedelta(hours=1)
SOURCES = {"point_event": PointEvent, "completion": Completion, "reflection": Reflection}
ROLLUPS = (TeamDay, MissionDay, ActivityDayBits, MissionCompleterDayBits, ActivityTotal, TeamTotal, MissionTotal,
           MissionCompleter)


def utc_day(session: Session, moment):
    """The UTC calendar day of a timestamp: a date on PostgreSQL, 'YYYY-MM-DD' text (what Date stores) on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("UTC", moment), Date)
    return func.date(moment)


def utc_day_number(session: Session, moment):
    """Days from 1970-01-01 to the UTC day of a timestamp."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.floor(func.extract("epoch", moment) / 86400), BigInteger)
    return cast(func.julianday(func.date(moment)) - 2440587.5, Integer)


def _day_bit(session: Session, moment) -> tuple:
    """(block, bit) of a timestamp's UTC day in the day bitmaps (webapp/models/monitoring.py)."""
    number = utc_day_number(session, moment)
    return (cast(number // DAYS_PER_BLOCK, Integer),
            literal(1, BigInteger).op("<<")(cast(number % DAYS_PER_BLOCK, Integer)))


def _insert(session: Session, model):
    dialect = session.get_bind().dialect.name
    return (postgresql_insert if dialect == "postgresql" else sqlite_insert)(model.__table__)


def _add(session: Session, model, keys: list, sums: dict, query, bits: bool = False) -> None:
    """Add the sums `query` selects (grouped by `keys`) to `model`'s rows, creating the missing ones.

    `query` selects the key columns then the sums, in that order; other counters start at 0. With `bits`
    the counters are day bitmaps, combined with OR (the sums then are of distinct day bits: their OR).
    """
    table = model.__table__
    key_names = [column.name for column in table.primary_key.columns]
    counters = [column.name for column in table.columns if column.name not in key_names]
    columns = [*key_names, *counters]
    select_list = [*keys, *(sums.get(name, literal(0)) for name in counters)]
    statement = _insert(session, model).from_select(columns, query.with_only_columns(*select_list).group_by(*keys))
    statement = statement.on_conflict_do_update(
        index_elements=key_names,
        set_={name: table.c[name].op("|")(statement.excluded[name]) if bits else table.c[name] + statement.excluded[name]
              for name in sums})
    session.connection().execute(statement)


def _roll_point_events(session: Session, rows) -> None:
    day = utc_day(session, PointEvent.created_at)
    query = select(PointEvent.id).where(rows)
    sums = {"point_events": func.count(), "points": func.sum(PointEvent.amount)}
    _add(session, ActivityTotal, [PointEvent.challenge_id, PointEvent.user_id], sums, query)
    points = {"points": func.sum(PointEvent.amount)}
    _add(session, TeamDay, [PointEvent.challenge_id, PointEvent.team_id, day], points, query)
    _add(session, TeamTotal, [PointEvent.challenge_id, PointEvent.team_id], points, query)
    block, bit = _day_bit(session, PointEvent.created_at)
    _add(session, ActivityDayBits, [PointEvent.challenge_id, PointEvent.user_id, block],
         {"active": func.sum(bit.distinct())}, query, bits=True)
    # The points each mission's completions earned, for XP per skill (points times the mission's skill weights).
    earned = query.join(Completion, and_(PointEvent.source_type == "completion", Completion.id == PointEvent.source_id))
    keys = [PointEvent.challenge_id, Completion.mission_id, PointEvent.team_id]
    _add(session, MissionDay, [*keys, day], points, earned)
    _add(session, MissionTotal, keys, points, earned)


def _roll_completions(session: Session, rows) -> None:
    day = utc_day(session, Completion.created_at)
    # Only evidence that counts: a completion waiting for a lead (or sent back) is rolled up when it is approved
    # (count_approved), and until then is only "pending" on the dashboards.
    query = select(Completion.id).where(rows, Completion.status == CompletionStatus.APPROVED)
    count = {"completions": func.count()}
    _add(session, TeamDay, [Completion.challenge_id, Completion.team_id, day], count, query)
    _add(session, MissionDay, [Completion.challenge_id, Completion.mission_id, Completion.team_id, day], count, query)
    _add(session, ActivityTotal, [Completion.challenge_id, Completion.user_id], count, query)
    _add(session, TeamTotal, [Completion.challenge_id, Completion.team_id], count, query)
    _add(session, MissionTotal, [Completion.challenge_id, Completion.mission_id, Completion.team_id], count, query)
    _add(session, MissionCompleter, [Completion.mission_id, Completion.user_id], count, query)
    block, bit = _day_bit(session, Completion.created_at)
    days = func.sum(bit.distinct())
    _add(session, ActivityDayBits, [Completion.challenge_id, Completion.user_id, block],
         {"active": days, "completed": days}, query, bits=True)
    _add(session, MissionCompleterDayBits, [Completion.mission_id, Completion.user_id, block], {"days": days}, query,
         bits=True)


def _roll_reflections(session: Session, rows) -> None:
    day = utc_day(session, Reflection.created_at)
    query = select(Reflection.id).where(rows)
    count = {"reflections": func.count()}
    _add(session, TeamDay, [Reflection.challenge_id, Reflection.team_id, day], count, query)
    _add(session, ActivityTotal, [Reflection.challenge_id, Reflection.user_id], count, query)
    _add(session, TeamTotal, [Reflection.challenge_id, Reflection.team_id], count, query)
    block, bit = _day_bit(session, Reflection.created_at)
    _add(session, ActivityDayBits, [Reflection.challenge_id, Reflection.user_id, block],
         {"reflected": func.sum(bit.distinct())}, query, bits=True)
    # The mission a reflection is about: the one whose completion asked for it.
    led = (query.join(ReflectionPrompt, ReflectionPrompt.id == Reflection.prompt_id)
           .join(Completion, Completion.id == ReflectionPrompt.completion_id))
    _add(session, MissionDay, [Reflection.challenge_id, Completion.mission_id, Reflection.team_id, day], count, led)
    _add(session, MissionTotal, [Reflection.challenge_id, Completion.mission_id, Reflection.team_id], count, led)


ROLL = {"point_event": _roll_point_events, "completion": _roll_completions, "reflection": _roll_reflections}


def count_approved(session: Session, completion: Completion) -> None:
    """Add a completion approved just now to the rollups, if they read it already (while it was pending, so
    without it); a completion they have not read yet is counted when they do. Call after the status change is
    flushed, in the same transaction; the caller commits.

    The state row is locked first, so a refresh running at the same time either read the completion before
    this transaction commits (as pending: it is added here) or waits and reads it approved (not added here).
    """
    state = _lock_state(session, touch=False)
    gaps = (state.gaps or {}).get("completion", [])
    read = completion.id <= state.completion_id and not any(first <= completion.id <= last
                                                               for first, last, _ in gaps)
    if read:
        _roll_completions(session, Completion.id == completion.id)


def _missing(session: Session, model, after: int, last: int) -> list[tuple[int, int]]:
    """Ranges of ids in (after, last] with no row (yet): gaps between neighbours, found in SQL."""
    ids = (select(model.id.label("id"), func.lag(model.id, 1, after).over(order_by=model.id).label("previous"))
           .where(model.id > after, model.id <= last).subquery())
    ranges = [(previous + 1, current - 1) for previous, current in session.exec(
        select(ids.c.previous, ids.c.id).where(ids.c.id - ids.c.previous > 1))]
    top = session.exec(select(func.max(model.id)).where(model.id > after, model.id <= last)).one()
    if top is None:
        return [(after + 1, last)]
    if top < last:
        ranges.append((top + 1, last))
    return ranges


def _present(model, first: int, last: int, missing: list[tuple[int, int]]):
    """Rows with ids in [first, last] except the missing ranges (a row committed meanwhile waits for next time)."""
    return and_(model.id >= first, model.id <= last, *(~model.id.between(a, b) for a, b in missing))


def _lock_state(session: Session, touch: bool = True) -> RollupState:
    """The state row, locked until the caller commits: a row lock on PostgreSQL, the write lock on SQLite.

    Starting with a write (not a read upgraded later) lets SQLite wait for another writer instead of failing.
    `touch` False: lock without marking a refresh (the caller already holds SQLite's write lock).
    """
    session.connection().execute(_insert(session, RollupState).values(
        id=1, point_event_id=0, completion_id=0, reflection_id=0, gaps={}).on_conflict_do_nothing(index_elements=["id"]))
    if touch:
        session.connection().execute(update(RollupState).where(RollupState.id == 1).values(refreshed_at=utcnow()))
    else:
        session.connection().execute(select(RollupState.id).where(RollupState.id == 1).with_for_update())
    return session.exec(select(RollupState).where(RollupState.id == 1)
                        .execution_options(populate_existing=True)).one()


def refresh(session: Session, limit: int = BATCH) -> int:
    """Roll up at most `limit` new rows of each source, and rows that filled earlier gaps; the caller commits.

    Returns the number of source rows rolled up.
    """
    state = _lock_state(session)
    now = utcnow()
    gaps = {name: list(ranges) for name, ranges in (state.gaps or {}).items()}
    rolled = 0
    for name, model in SOURCES.items():
        kept = []
        for first, last, seen in gaps.get(name, []):
            missing = _missing(session, model, first - 1, last)
            if missing != [(first, last)]:
                ROLL[name](session, _present(model, first, last, missing))
                rolled += (last - first + 1) - sum(b - a + 1 for a, b in missing)
            if now - datetime.fromisoformat(seen) < GAP_PATIENCE:
                kept += [[a, b, seen] for a, b in missing]
        mark = getattr(state, f"{name}_id")
        newest = session.exec(select(func.max(model.id))).one() or 0
        last = min(newest, mark + limit)
        if last > mark:
            missing = _missing(session, model, mark, last)
            ROLL[name](session, _present(model, mark + 1, last, missing))
            rolled += (last - mark) - sum(b - a + 1 for a, b in missing)
            kept += [[a, b, now.isoformat()] for a, b in missing]
            setattr(state, f"{name}_id", last)
        gaps[name] = kept
    state.gaps = {name: ranges for name, ranges in gaps.items() if ranges}
    state.refreshed_at = now
    session.add(state)
    session.flush()
    return rolled


def _marks(session: Session) -> tuple[dict[str, int], bool]:
    """The high-water marks as stored now (not a session's cached copy), and whether gaps wait."""
    row = session.exec(select(RollupState.point_event_id, RollupState.completion_id, RollupState.reflection_id,
                              RollupState.gaps).where(RollupState.id == 1)).first()
    if row is None:
        return dict.fromkeys(SOURCES, 0), False
    return dict(zip(SOURCES, row[:3])), bool(row[3])


def rows_behind(session: Session) -> int:
    """How many source ids lie above the high-water marks (a cheap upper bound of the work waiting)."""
    marks, _ = _marks(session)
    return sum(max(0, (session.exec(select(func.max(model.id))).one() or 0) - marks[name])
               for name, model in SOURCES.items())


def catch_up(session: Session, batch: int = BATCH, budget_seconds: float | None = None) -> int:
    """Refresh batch after batch, committing each, until nothing waits (or the time budget is spent)."""
    started, rolled = time.monotonic(), 0
    while True:
        waiting = rows_behind(session) or _marks(session)[1]
        # End the read transaction before writing: SQLite cannot turn a stale reader into the writer.
        session.commit()
        if not waiting:
            return rolled
        rolled += refresh(session, batch)
        session.commit()
        if rows_behind(session) == 0 or (budget_seconds is not None
                                         and time.monotonic() - started > budget_seconds):
            session.commit()
            return rolled


@every_minute
def refresh_rollups(session: Session) -> None:
    """Minute tick step (workers/periodic.py): roll up what was written since the last tick, and retry gaps."""
    catch_up(session, budget_seconds=TICK_BUDGET_SECONDS)


def freshen(session: Session, limit: int = SYNC_LIMIT) -> int:
    """Before a dashboard reads the rollups: catch up now if only a little waits. Returns the rows still waiting.

    Ends the session's (read-only) transaction first, so the figures read after it see the new sums.
    """
    behind = rows_behind(session)
    if not behind or behind > limit:
        return behind
    session.commit()
    refresh(session, limit)
    session.commit()
    return 0


def rebuild(session: Session) -> None:
    """Forget every rollup (e.g. after people were deleted with their rows) so the next refresh recounts all."""
    _lock_state(session)
    for model in ROLLUPS:
        session.connection().execute(delete(model))
    session.connection().execute(update(RollupState).where(RollupState.id == 1).values(
        point_event_id=0, completion_id=0, reflection_id=0, gaps={}))
    session.commit()

