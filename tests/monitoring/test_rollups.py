"""The dashboard rollups: new rows counted once, in batches or not, by the tick, by two refreshes at once."""
from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from webapp.db import get_engine
from webapp.models import Completion, PointEvent, PointReason, RollupState, TeamDay, utcnow
from webapp.monitoring import figures, rollups
from webapp.monitoring.scope import Scope
from workers.periodic import run_tick

from .conftest import DAY3


def team_points(session) -> dict[int, int]:
    """Points per team in the rollup, all challenges."""
    session.expire_all()
    return {team: int(points) for team, points in session.exec(
        select(TeamDay.team_id, func.sum(TeamDay.points)).group_by(TeamDay.team_id))}


def ledger_points(session) -> dict[int, int]:
    return {team: int(points) for team, points in session.exec(
        select(PointEvent.team_id, func.sum(PointEvent.amount)).group_by(PointEvent.team_id))}


def complete(session, world, name: str, key: str, mission_id: int, *, id: int | None = None, points: int = 10):
    """A completion and its points by `name` (a blue or red player of challenge A) on day 3."""
    team = world.blue if name.startswith("b") else world.red
    completion = Completion(id=id, idempotency_key=key, mission_id=mission_id, challenge_id=world.a,
                            user_id=world.people[name], team_id=team, points_awarded=points, created_at=DAY3)
    session.add(completion)
    session.flush()
    session.add(PointEvent(user_id=world.people[name], team_id=team, challenge_id=world.a, amount=points,
                           reason=PointReason.COMPLETION, source_type="completion", source_id=completion.id,
                           created_at=DAY3))
    session.commit()
    return completion


def gaps(session) -> list[list[int]]:
    """Completion id ranges the rollups wait for."""
    session.expire_all()
    return [ids[:2] for ids in session.get(RollupState, 1).gaps.get("completion", [])]


def a_mission(session, world) -> int:
    return session.exec(select(Completion.mission_id).where(Completion.challenge_id == world.a)).first()


def test_refresh_counts_each_row_once(session, world):
    assert rollups.refresh(session) == 6 + 7 + 2  # completions, point events, reflections
    session.commit()
    assert team_points(session) == ledger_points(session) == {world.red: 45, world.blue: 20}
    assert rollups.refresh(session) == 0
    session.commit()
    assert team_points(session) == {world.red: 45, world.blue: 20}


def test_rows_written_after_a_refresh_reach_the_dashboard(session, world):
    rollups.catch_up(session)
    assert figures.funnel(session, Scope(challenge_id=world.a)).active == 4
    complete(session, world, "b2", "b2-late", a_mission(session, world))
    funnel = figures.funnel(session, Scope(challenge_id=world.a))
    assert (funnel.active, funnel.completed) == (5, 4)
    blue = next(team for team in figures.team_comparison(session, Scope(challenge_id=world.a)) if team.name == "Blue")
    assert (blue.points, blue.completions) == (30, 2)


def test_small_batches_give_the_same_sums(session, world):
    assert rollups.catch_up(session, batch=2) == 15
    assert team_points(session) == ledger_points(session)
    assert figures.completions_per_day(session, Scope(challenge_id=world.a)) == [
        ("2026-03-02", 2), ("2026-03-03", 2), ("2026-03-10", 1)]


def test_the_minute_tick_rolls_up(session, world):
    run_tick(session)
    assert team_points(session) == ledger_points(session)
    assert rollups.rows_behind(session) == 0


def test_a_dashboard_leaves_a_large_backlog_to_the_tick(session, world):
    assert rollups.freshen(session, limit=3) == 15
    assert team_points(session) == {}
    assert rollups.freshen(session) == 0
    assert team_points(session) == ledger_points(session)


def test_an_id_committed_late_is_counted_when_it_appears(session, world):
    """A transaction holding a lower id may commit after a higher one was rolled up: its row is read later."""
    rollups.catch_up(session)
    top = session.exec(select(func.max(Completion.id))).one()
    mission = a_mission(session, world)
    complete(session, world, "b2", "b2-later", mission, id=top + 3)
    rollups.catch_up(session)
    assert gaps(session) == [[top + 1, top + 2]]
    complete(session, world, "r3", "r3-slow", mission, id=top + 1)  # the slow transaction commits
    rollups.catch_up(session)
    assert sum(m.completions for m in figures.missions(session, Scope(challenge_id=world.a))) == 5 + 2
    assert gaps(session) == [[top + 2, top + 2]]
    rollups.catch_up(session)  # reading the gap again counts nothing twice
    assert sum(m.completions for m in figures.missions(session, Scope(challenge_id=world.a))) == 5 + 2


def test_a_gap_is_forgotten_after_a_while(session, world):
    rollups.catch_up(session)
    top = session.exec(select(func.max(Completion.id))).one()
    complete(session, world, "b2", "b2-later", a_mission(session, world), id=top + 2)
    rollups.catch_up(session)
    state = session.get(RollupState, 1)
    long_ago = (utcnow() - rollups.GAP_PATIENCE - timedelta(minutes=1)).isoformat()
    state.gaps = {"completion": [[top + 1, top + 1, long_ago]]}
    session.add(state)
    session.commit()
    rollups.catch_up(session)
    assert gaps(session) == []


def test_two_refreshes_at_once_count_each_row_once(session, world, database_url):
    engine = get_engine(database_url)
    start, errors = threading.Barrier(2), []

    def refresh():
        try:
            with Session(engine) as own:
                start.wait()
                rollups.refresh(own)
                own.commit()
        except Exception as error:  # reported below: an exception in a thread would otherwise vanish
            errors.append(error)

    threads = [threading.Thread(target=refresh) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert team_points(session) == ledger_points(session)


def test_rebuild_recounts_from_the_sources(session, world):
    rollups.catch_up(session)
    rollups.rebuild(session)
    assert team_points(session) == {}
    rollups.catch_up(session)
    assert team_points(session) == ledger_points(session)
