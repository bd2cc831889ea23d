"""The challenge lifecycle and the badge rule vocabulary at their edges: the clock exactly at a start or an
end, every allowed move by hand, and thresholds exactly at their limits."""
from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from sqlmodel import select

from webapp.challenges import lifecycle
from webapp.challenges.badge_rules import MAX_THRESHOLD, RULES, ChallengeShape, describe, scope_of, validate_params
from webapp.problems import Invalid
from webapp.models import BadgeRule, BadgeScope, ChallengeStatus, Mission, MissionKind, OutboxJob, Team, utcnow

S = ChallengeStatus


def team(session, slug="platform") -> Team:
    return session.exec(select(Team).where(Team.slug == slug)).one()


@pytest.fixture
def ready(session, make_user, make_challenge):
    """A draft challenge with a team and a mission, starting in a day and lasting a week."""
    make_user("e@example.com", team="platform")
    return make_challenge(teams=[team(session)])


def problem(act) -> tuple:
    with pytest.raises(Invalid) as refused:
        act()
    return [(p.loc, p.message) for p in refused.value.problems]


# The lifecycle

def test_publishing_before_the_start_waits_for_the_clock_and_starts_exactly_at_starts_at(session, ready):
    now = ready.starts_at - timedelta(seconds=1)
    lifecycle.publish(session, ready, now)
    assert ready.status is S.PUBLISHED
    session.commit()
    assert lifecycle.advance_challenges(session, now) == 0
    assert lifecycle.advance_challenges(session, ready.starts_at.replace(tzinfo=UTC)) == 1
    assert ready.status is S.RUNNING


def test_publishing_exactly_at_the_start_runs_at_once(session, ready):
    lifecycle.publish(session, ready, ready.starts_at.replace(tzinfo=UTC))
    assert ready.status is S.RUNNING


def test_publishing_exactly_at_the_end_is_refused(session, ready):
    assert problem(lambda: lifecycle.publish(session, ready, ready.ends_at.replace(tzinfo=UTC))) == [
        (("status",), "The end date has passed; move it into the future before publishing.")]
    assert ready.status is S.DRAFT
    lifecycle.publish(session, ready, ready.ends_at.replace(tzinfo=UTC) - timedelta(seconds=1))
    assert ready.status is S.RUNNING


def test_retired_missions_do_not_make_a_challenge_publishable(session, ready):
    for mission in session.exec(select(Mission).where(Mission.challenge_id == ready.id)).all():
        mission.retired_at = utcnow()
        session.add(mission)
    session.commit()
    assert problem(lambda: lifecycle.publish(session, ready)) == [
        (("status",), "Add at least one mission before publishing: there would be nothing to do.")]


def test_the_refusals_say_what_is_missing(session, make_challenge):
    bare = make_challenge("bare")
    assert problem(lambda: lifecycle.publish(session, bare)) == [
        (("status",), "Add at least one team before publishing: nobody would see it.")]
    assert problem(lambda: lifecycle.move(session, bare, S.ARCHIVED)) == [
        (("status",), "A draft challenge cannot become archived.")]


def test_a_running_challenge_closes_exactly_at_its_end_on_the_clock(session, ready):
    lifecycle.publish(session, ready, ready.starts_at.replace(tzinfo=UTC))
    session.commit()
    end = ready.ends_at.replace(tzinfo=UTC)
    assert lifecycle.advance_challenges(session, end - timedelta(seconds=1)) == 0
    assert lifecycle.advance_challenges(session, end) == 1
    assert ready.status is S.CLOSED
    assert ready.ends_at.replace(tzinfo=UTC) == end  # closed on time: the end stays as planned
    job = session.exec(select(OutboxJob).where(OutboxJob.name == lifecycle.CLOSED_JOB)).one()
    assert (job.key, job.payload) == (f"challenge-closed:{ready.id}", {"challenge_id": ready.id})


def test_one_tick_starts_and_closes_and_counts_both(session, ready, make_challenge):
    lifecycle.publish(session, ready, ready.starts_at.replace(tzinfo=UTC) - timedelta(hours=1))
    short = make_challenge("short", teams=[team(session)], starts_in=timedelta(hours=-2), days=1)
    lifecycle.publish(session, short)
    session.commit()
    assert short.status is S.RUNNING
    assert lifecycle.advance_challenges(session, short.ends_at.replace(tzinfo=UTC) + timedelta(days=1)) == 2
    assert (ready.status, short.status) == (S.RUNNING, S.CLOSED)


def test_closing_by_hand_before_the_end_ends_it_now(session, ready):
    lifecycle.publish(session, ready, ready.starts_at.replace(tzinfo=UTC))
    now = ready.starts_at.replace(tzinfo=UTC) + timedelta(days=1)
    before = utcnow()
    lifecycle.move(session, ready, S.CLOSED, now)
    assert ready.ends_at.replace(tzinfo=UTC) == now and ready.status is S.CLOSED
    assert ready.updated_at.replace(tzinfo=UTC) >= before


@pytest.mark.parametrize("start, to", [(S.DRAFT, S.PUBLISHED), (S.PUBLISHED, S.DRAFT), (S.PUBLISHED, S.CLOSED),
                                       (S.RUNNING, S.CLOSED), (S.CLOSED, S.ARCHIVED)])
def test_every_move_a_person_may_make(session, ready, start, to):
    ready.status = start
    session.add(ready)
    session.commit()
    assert to in lifecycle.allowed_moves(ready)
    lifecycle.move(session, ready, to.value)
    session.commit()
    session.refresh(ready)
    assert ready.status is to


def test_what_each_status_allows(session, ready):
    allowed = {}
    for status in S:
        ready.status = status
        allowed[status] = lifecycle.allowed_moves(ready)
    assert allowed == {S.DRAFT: (S.PUBLISHED,), S.PUBLISHED: (S.DRAFT, S.CLOSED), S.RUNNING: (S.CLOSED,),
                       S.CLOSED: (S.ARCHIVED,), S.ARCHIVED: ()}


# The badge rule vocabulary

@pytest.mark.parametrize("threshold", [1, MAX_THRESHOLD, "1", f" {MAX_THRESHOLD} "])
def test_thresholds_exactly_at_their_limits_are_accepted(threshold):
    assert validate_params("points_reached", {"threshold": threshold}) == {"threshold": int(str(threshold))}


@pytest.mark.parametrize("threshold", [0, MAX_THRESHOLD + 1, "-1", "1.5", "X5", 2.0, None])
def test_thresholds_outside_their_limits_are_refused(threshold):
    problems = problem(lambda: validate_params("points_reached", {"threshold": threshold}))
    assert problems == [(("threshold",), {
        0: f"must be between 1 and {MAX_THRESHOLD}", MAX_THRESHOLD + 1: f"must be between 1 and {MAX_THRESHOLD}",
        "-1": f"must be between 1 and {MAX_THRESHOLD}", "1.5": "must be a whole number", "X5": "must be a whole number", 2.0: "must be a whole number",
        None: "is required for rule points_reached"}[threshold])]


def test_every_problem_is_named_at_once_with_its_prefix():
    problems = problem(lambda: validate_params("team_all_completed_kind", {"threshold": 2, "colour": "red"},
                                               prefix=("badges", 0)))
    assert problems == [(("badges", 0, "colour"), "unknown parameter for rule team_all_completed_kind"),
                        (("badges", 0, "threshold"), "rule team_all_completed_kind takes no threshold"),
                        (("badges", 0, "kind"), "is required for rule team_all_completed_kind")]


def test_an_optional_kind_may_be_left_out_or_blank():
    assert validate_params(BadgeRule.MISSIONS_COMPLETED, {"threshold": 2, "kind": ""}) == {"threshold": 2}
    assert problem(lambda: validate_params("missions_completed", None)) == [
        (("threshold",), "is required for rule missions_completed")]


def test_an_unknown_kind_lists_the_kinds():
    kinds = ", ".join(kind.value for kind in MissionKind)
    assert problem(lambda: validate_params("missions_completed", {"threshold": 1, "kind": "cooking"})) == [
        (("kind",), f"'cooking' is not a mission kind; choose one of {kinds}")]


def test_an_unknown_rule_lists_the_rules():
    rules = ", ".join(rule.value for rule in BadgeRule)
    assert problem(lambda: validate_params("sing", {}, prefix=("badges", 1))) == [
        (("badges", 1, "rule"), f"'sing' is not a badge rule; choose one of {rules}")]


def test_a_streak_as_long_as_the_challenge_is_possible_and_one_day_longer_is_not():
    week = ChallengeShape(duration_days=7)
    assert validate_params("streak_days", {"threshold": 7}, week) == {"threshold": 7}
    assert problem(lambda: validate_params("streak_days", {"threshold": 8}, week, prefix=("badges", 3))) == [
        (("badges", 3, "threshold"), "a streak of 8 days cannot happen in a 7-day challenge")]
    # Other rules may have thresholds beyond the challenge's days, and an open-ended shape checks nothing.
    assert validate_params("missions_completed", {"threshold": 30}, week) == {"threshold": 30}
    assert validate_params("streak_days", {"threshold": 300}, ChallengeShape()) == {"threshold": 300}


def test_a_kind_the_challenge_has_is_possible():
    shape = ChallengeShape(mission_kinds=frozenset({MissionKind.SHARE}))
    assert validate_params("team_all_completed_kind", {"kind": "share"}, shape) == {"kind": "share"}
    assert problem(lambda: validate_params("missions_completed", {"threshold": 1, "kind": "help"}, shape,
                                           prefix=("badges", 0))) == [
        (("badges", 0, "kind"), "the challenge has no help mission, so nobody could earn it")]


def test_impossible_is_checked_only_once_the_parameters_are_well_formed():
    week = ChallengeShape(duration_days=7, mission_kinds=frozenset({MissionKind.LEARN}))
    assert problem(lambda: validate_params("streak_days", {"threshold": "x"}, week)) == [
        (("threshold",), "must be a whole number")]


def test_team_rules_are_for_teams_and_the_others_for_people():
    assert {rule for rule in BadgeRule if scope_of(rule) is BadgeScope.TEAM} == {
        BadgeRule.TEAM_ALL_COMPLETED_KIND, BadgeRule.TEAM_POINTS_REACHED}
    assert all(RULES[rule].scope is scope_of(rule) for rule in BadgeRule)


@pytest.mark.parametrize("rule, params, words", [
    (BadgeRule.MISSIONS_COMPLETED, {"threshold": 3}, "3 missions completed"),
    (BadgeRule.STREAK_DAYS, {"threshold": 5}, "A streak of 5 days"),
    (BadgeRule.TEAM_POINTS_REACHED, {"threshold": 100}, "The team reached 100 points"),
    (BadgeRule.TEAM_ALL_COMPLETED_KIND, {"kind": "share"}, "Every team member completed a mission of a kind: share"),
    (BadgeRule.POINTS_REACHED, {}, "N points reached"),
])
def test_rules_in_words(rule, params, words):
    assert describe(rule, params) == words


def test_a_tick_counts_every_challenge_it_moves(session, ready, make_challenge):
    second = make_challenge("second", teams=[team(session)])
    for challenge in (ready, second):
        lifecycle.publish(session, challenge, challenge.starts_at.replace(tzinfo=UTC) - timedelta(hours=1))
    session.commit()
    assert lifecycle.advance_challenges(session, second.starts_at.replace(tzinfo=UTC)) == 2  # made last, starts last
    assert lifecycle.advance_challenges(session, second.ends_at.replace(tzinfo=UTC)) == 2
    assert (ready.status, second.status) == (S.CLOSED, S.CLOSED)


def test_another_challenges_missions_do_not_make_one_publishable(session, ready, make_challenge):
    empty = make_challenge("empty", kinds=(), teams=[team(session)])
    assert problem(lambda: lifecycle.publish(session, empty)) == [
        (("status",), "Add at least one mission before publishing: there would be nothing to do.")]


def test_a_skill_badge_names_a_skill_of_the_challenge_and_a_level_on_the_ladder():
    from webapp.play.skill_xp import SKILL_LEVELS

    shape = ChallengeShape(skills=frozenset({"Testing"}))
    top = len(SKILL_LEVELS)
    assert validate_params("skill_level_reached", {"threshold": top, "skill": "Testing"}, shape) == {
        "threshold": top, "skill": "Testing"}
    assert problem(lambda: validate_params("skill_level_reached", {"threshold": top + 1, "skill": "Juggling"}, shape,
                                           prefix=("badges", 2))) == [
        (("badges", 2, "skill"), "the challenge has no skill called 'Juggling'"),
        (("badges", 2, "threshold"), f"the skill ladder has {top} levels")]


def test_a_skill_badge_is_described_with_its_level_and_skill():
    assert describe(BadgeRule.SKILL_LEVEL_REACHED, {"threshold": 3, "skill": "Testing"}) == (
        "Level 3 reached in a skill: Testing")
