"""The all-time rollups (no date range) agree with the ledger and the daily rollups, and give the figures a range
holding every day gives."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from webapp.models import (
    ActivityTotal,
    Completion,
    MissionCompleter,
    MissionDay,
    PointEvent,
    MissionTotal,
    PromptStatus,
    Reflection,
    ReflectionPrompt,
    TeamDay,
    TeamTotal,
)
from webapp.monitoring import figures, rollups
from webapp.monitoring.scope import Scope

from .conftest import DAY1, DAY3
from .test_rollups import a_mission, complete

# A range holding every day of the hand-made programme: the figures are read from the daily rollups instead.
EVERY_DAY = dict(start=DAY1 - timedelta(days=30), end=DAY3 + timedelta(days=30))


def totals(session) -> dict[tuple[int, int], tuple[int, int, int, int]]:
    session.expire_all()
    return {(row.challenge_id, row.user_id): (row.point_events, row.points, row.completions, row.reflections)
            for row in session.exec(select(ActivityTotal))}


def ledger_totals(session) -> dict[tuple[int, int], tuple[int, int, int, int]]:
    """(point events, points, completions, reflections) per challenge and person, counted in the ledger itself."""
    def per_person(model, *sums):
        return {(challenge, user): tuple(int(value) for value in values) for challenge, user, *values in session.exec(
            select(model.challenge_id, model.user_id, *sums).group_by(model.challenge_id, model.user_id))}

    points = per_person(PointEvent, func.count(), func.sum(PointEvent.amount))
    completions, reflections = per_person(Completion, func.count()), per_person(Reflection, func.count())
    return {key: (*points.get(key, (0, 0)), *completions.get(key, (0,)), *reflections.get(key, (0,)))
            for key in {*points, *completions, *reflections}}


def completers(session) -> dict[tuple[int, int], int]:
    return {(row.mission_id, row.user_id): row.completions for row in session.exec(select(MissionCompleter))}


def ledger_completers(session) -> dict[tuple[int, int], int]:
    return {(mission, user): int(count) for mission, user, count in session.exec(
        select(Completion.mission_id, Completion.user_id, func.count())
        .group_by(Completion.mission_id, Completion.user_id))}


def sums_without_days(session, daily, total) -> tuple[dict, dict]:
    """An all-time rollup's rows, and the daily rollup's summed over the days, keyed alike."""
    session.expire_all()
    keys = [column.name for column in total.__table__.primary_key.columns]
    counters = [column.name for column in total.__table__.columns if column.name not in keys]
    all_time = {tuple(row[:len(keys)]): tuple(row[len(keys):]) for row in session.exec(
        select(*(getattr(total, name) for name in keys + counters)))}
    daily_sums = {tuple(row[:len(keys)]): tuple(int(value) for value in row[len(keys):]) for row in session.exec(
        select(*(getattr(daily, name) for name in keys), *(func.sum(getattr(daily, name)) for name in counters))
        .group_by(*(getattr(daily, name) for name in keys)))}
    return all_time, daily_sums


def assert_all_time_agrees(session) -> None:
    assert totals(session) == ledger_totals(session)
    assert completers(session) == ledger_completers(session)
    for daily, total in ((TeamDay, TeamTotal), (MissionDay, MissionTotal)):
        all_time, daily_sums = sums_without_days(session, daily, total)
        assert all_time and all_time == daily_sums


def reflect(session, world, name: str, completion, when: datetime) -> None:
    """`name` answers the prompt their completion led to."""
    team = world.blue if name.startswith("b") else world.red
    prompt = ReflectionPrompt(work_key=f"completion:{completion.id}", user_id=world.people[name],
                              challenge_id=world.a, completion_id=completion.id, status=PromptStatus.ANSWERED,
                              text="What changed?")
    session.add(prompt)
    session.flush()
    session.add(Reflection(prompt_id=prompt.id, user_id=world.people[name], challenge_id=world.a, team_id=team,
                           body="Quite a lot.", created_at=when))
    session.commit()


def test_all_time_rollups_add_up_the_daily_ones(session, world):
    rollups.catch_up(session)
    r1, b1 = world.people["r1"], world.people["b1"]
    # r1: 3 completions and their points in A (10 + 10 + 5), one reflection; b1: one completion (20), one reflection.
    assert totals(session)[(world.a, r1)] == (3, 25, 3, 1)
    assert totals(session)[(world.a, b1)] == (1, 20, 1, 1)
    # Red in A: 38 points, 4 completions, 1 reflection (conftest.py).
    assert sums_without_days(session, TeamDay, TeamTotal)[0][(world.a, world.red)] == (38, 4, 1)
    assert_all_time_agrees(session)


def test_all_time_rollups_follow_new_completions_and_reflections_in_small_batches(session, world):
    rollups.catch_up(session, batch=2)
    mission = a_mission(session, world)
    late = complete(session, world, "b2", "b2-late", mission)
    complete(session, world, "r1", "r1-again", mission)
    reflect(session, world, "b2", late, DAY3 + timedelta(hours=2))
    rollups.catch_up(session, batch=2)
    b2 = world.people["b2"]
    assert totals(session)[(world.a, b2)] == (1, 10, 1, 1)
    assert completers(session)[(mission, b2)] == 1
    # completions, reflections, points
    assert sums_without_days(session, MissionDay, MissionTotal)[0][(world.a, mission, world.blue)] == (1, 1, 10)
    assert_all_time_agrees(session)


def test_rebuild_recounts_the_all_time_rollups(session, world):
    rollups.catch_up(session)
    before = totals(session), completers(session)
    rollups.rebuild(session)
    assert totals(session) == {} and completers(session) == {}
    assert sums_without_days(session, TeamDay, TeamTotal) == ({}, {})
    rollups.catch_up(session)
    assert (totals(session), completers(session)) == before
    assert_all_time_agrees(session)


def people_figures(session, scope):
    funnel = figures.funnel(session, scope)
    teams = [(t.name, t.enrolled, t.active, t.points, t.completions, t.reflected, t.reflections)
             for t in figures.team_comparison(session, scope)]
    missions = [(m.title, m.completers, m.enrolled, m.completions, m.reflections)
                for m in figures.missions(session, scope)]
    return (funnel.enrolled, funnel.active, funnel.completed, funnel.reflected, funnel.reflections), teams, missions


@pytest.mark.parametrize("challenge", ["a", None])
@pytest.mark.parametrize("team", ["red", "blue", None])
def test_figures_without_a_range_match_a_range_holding_every_day(session, world, challenge, team):
    """The all-time rollups (no range) and the daily ones (a range) count the same people, also after new rows."""
    mission = a_mission(session, world)
    late = complete(session, world, "b2", "b2-late", mission)
    reflect(session, world, "b2", late, DAY3 + timedelta(hours=2))
    scope = Scope(challenge_id=getattr(world, challenge) if challenge else None,
                  team_ids=(getattr(world, team),) if team else None)
    all_time = people_figures(session, scope)
    assert all_time == people_figures(session, Scope(scope.challenge_id, scope.team_ids, **EVERY_DAY))
    if challenge and not team:
        # Known answers (conftest.py), plus b2 who now completed and reflected.
        assert all_time[0] == (5, 5, 4, 3, 3)


def test_a_range_counts_only_its_days_where_all_time_counts_every_day(session, world):
    rollups.catch_up(session)
    day3_only = Scope(challenge_id=world.a, start=datetime(2026, 3, 10, tzinfo=UTC),
                      end=datetime(2026, 3, 11, tzinfo=UTC))
    funnel = figures.funnel(session, day3_only)
    # Day 3: r2 completed learn, b1 reflected without a prompt.
    assert (funnel.enrolled, funnel.active, funnel.completed, funnel.reflected) == (5, 1, 1, 1)
    assert [(m.title, m.completers) for m in figures.missions(session, day3_only)][:1] == [("Read a postmortem", 1)]
    assert [(m.title, m.completers) for m in figures.missions(session, Scope(challenge_id=world.a))][:1] == [
        ("Read a postmortem", 2)]
