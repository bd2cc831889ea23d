"""The dashboard's figures against the hand-made programme of conftest.py (answers worked out by hand)."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from webapp.monitoring import figures
from webapp.monitoring.scope import Scope

DAY2_ONLY = dict(start=datetime(2026, 3, 3, tzinfo=UTC), end=datetime(2026, 3, 4, tzinfo=UTC))


def test_funnel_of_a_challenge(session, world):
    funnel = figures.funnel(session, Scope(challenge_id=world.a))
    assert funnel.steps() == [("Enrolled", 5), ("Active (points or a completion)", 4),
                              ("Completed at least one mission", 3), ("Wrote at least one reflection", 2)]
    assert funnel.reflections == 2
    assert funnel.reflection_rate == pytest.approx(2 / 5)


def test_funnel_across_challenges_counts_each_person_once(session, world):
    funnel = figures.funnel(session, Scope())
    assert (funnel.enrolled, funnel.active, funnel.completed, funnel.reflected) == (5, 4, 3, 2)


def test_completions_per_day_use_the_utc_day(session, world):
    assert figures.completions_per_day(session, Scope(challenge_id=world.a)) == [
        ("2026-03-02", 2), ("2026-03-03", 2), ("2026-03-10", 1)]


def test_completions_by_kind(session, world):
    assert figures.completions_by_kind(session, Scope(challenge_id=world.a)) == [
        ("learn", 3), ("help", 1), ("share", 1)]


def test_team_comparison(session, world):
    red, blue = figures.team_comparison(session, Scope(challenge_id=world.a))
    assert (red.name, red.enrolled, red.active, red.points, red.completions, red.reflected) == ("Red", 3, 3, 38, 4, 1)
    assert red.reflection_rate == pytest.approx(1 / 3)
    assert (blue.name, blue.enrolled, blue.active, blue.points, blue.completions, blue.reflected) == (
        "Blue", 2, 1, 20, 1, 1)
    assert blue.reflection_rate == pytest.approx(0.5)


def test_missions_best_first_with_the_reflections_they_led_to(session, world):
    rows = figures.missions(session, Scope(challenge_id=world.a))
    assert [(m.title, m.completers, m.enrolled, m.completions, m.reflections) for m in rows] == [
        ("Read a postmortem", 2, 5, 3, 1), ("Help a teammate", 1, 5, 1, 0), ("Share a lesson", 1, 5, 1, 0)]
    assert rows[0].completion_rate == pytest.approx(0.4)


def test_badges_earned(session, world):
    assert [(b.name, b.scope, b.awards) for b in figures.badges_earned(session, Scope(challenge_id=world.a))] == [
        ("First step", "individual", 2), ("Red together", "team", 1)]


def test_self_assessment_before_and_after_overall_and_per_team(session, world):
    rows = figures.self_assessments(session, Scope(challenge_id=world.a))
    table = [(r.skill, r.team, r.before_average, r.before_answers, r.after_average, r.after_answers) for r in rows]
    assert table == [
        ("Giving feedback", None, 3.0, 3, 4.5, 2),
        ("Giving feedback", "Blue", 4.0, 1, 5.0, 1),
        ("Giving feedback", "Red", 2.5, 2, 4.0, 1),
        ("Sharing", None, 1.0, 1, None, 0),
        ("Sharing", "Red", 1.0, 1, None, 0),
    ]
    assert rows[0].change == pytest.approx(1.5)
    assert rows[3].change is None


def test_date_range_keeps_only_its_days(session, world):
    scope = Scope(challenge_id=world.a, **DAY2_ONLY)
    funnel = figures.funnel(session, scope)
    # r1 completed on day 2 and r3 got kudos points on day 2; no reflection that day.
    assert (funnel.enrolled, funnel.active, funnel.completed, funnel.reflected) == (5, 2, 1, 0)
    assert figures.completions_per_day(session, scope) == [("2026-03-03", 2)]
    red = figures.team_comparison(session, scope)[0]
    assert (red.name, red.points, red.completions, red.active) == ("Red", 18, 2, 2)
    assert [(b.name, b.awards) for b in figures.badges_earned(session, scope)] == [("Red together", 1)]


def test_team_filter_keeps_only_that_team(session, world):
    scope = Scope(challenge_id=world.a, team_ids=(world.blue,))
    funnel = figures.funnel(session, scope)
    assert (funnel.enrolled, funnel.active, funnel.completed, funnel.reflected) == (2, 1, 1, 1)
    assert [team.name for team in figures.team_comparison(session, scope)] == ["Blue"]
    assert figures.completions_by_kind(session, scope) == [("help", 1)]
    assert [(b.name, b.awards) for b in figures.badges_earned(session, scope)] == [("First step", 1)]
    assert [(r.skill, r.team, r.before_answers) for r in figures.self_assessments(session, scope)] == [
        ("Giving feedback", None, 1), ("Giving feedback", "Blue", 1)]


def test_across_challenges_adds_the_other_challenge(session, world):
    scope = Scope()
    assert figures.completions_per_day(session, scope) == [("2026-03-02", 2), ("2026-03-03", 3), ("2026-03-10", 1)]
    red = next(team for team in figures.team_comparison(session, scope) if team.name == "Red")
    assert (red.points, red.completions) == (45, 5)
    titles = [m.title for m in figures.missions(session, scope)]
    assert "Try a tool" in titles and len(titles) == 4
