"""Leaderboards and badges at their edges: ties on the board, what a team's score counts, the top of the
board and my row, and each badge rule exactly at its threshold for the right subject."""
from __future__ import annotations

from dataclasses import replace

import pytest
from sqlmodel import select

from webapp.models import (
    BadgeAward, BadgeRule, BadgeScope, Enrolment, Kudos, LeaderboardMode, MissionKind, PointReason, Reflection,
    Visibility,
)
from webapp.play.badges import rule_met
from webapp.play.badges import award_badges
from webapp.play.events import PlayEvent, PlayEventKind
from webapp.play.leaderboards import (
    NEIGHBOURS, TOP_ROWS, BoardCache, boards_for, individual_board, individual_standings, team_standings,
)
from webapp.play.ledger import record_points
from webapp.play.missions import complete_mission


def give(world, session, user, amount, source_id, team="red", challenge=None):
    record_points(session, user_id=user.id, team_id=world.team(team).id, challenge_id=(challenge or world.challenge).id,
                  amount=amount, reason=PointReason.ADJUSTMENT, source_type="test", source_id=source_id)
    session.commit()


# Team board

def test_a_teams_score_is_its_points_per_active_member_to_one_decimal(world, session):
    members = [world.player(f"r{n}@example.com", team="red") for n in range(3)]
    for number, user in enumerate(members):
        give(world, session, user, [5, 3, 2][number], number)
    (red,) = [row for row in team_standings(session, world.challenge.id) if row.name == "Red"]
    # float(): PostgreSQL's sum comes back as a Decimal, so the score is Decimal('3.3') there.
    assert (red.points, red.active_members, float(red.score)) == (10, 3, 3.3)


def test_teams_with_the_same_score_share_a_rank_and_more_points_come_first(world, session):
    world.make_challenge("other", teams=("red", "blue", "green"))
    world.challenge = world.make_challenge("tied", teams=("red", "blue", "green"))
    red = [world.player(f"r{n}@example.com", team="red") for n in range(2)]
    blue = world.player("b@example.com", team="blue")
    green = world.player("g@example.com", team="green")
    give(world, session, red[0], 10, 1)
    give(world, session, red[1], 10, 2)  # 20 points, 2 active: 10 each
    give(world, session, blue, 10, 3, team="blue")  # 10 points, 1 active: 10
    give(world, session, green, 4, 4, team="green")
    rows = team_standings(session, world.challenge.id)
    assert [(r.rank, r.name, r.points, r.score) for r in rows] == [
        (1, "Red", 20, 10.0), (1, "Blue", 10, 10.0), (3, "Green", 4, 4.0)]
    assert [r.team_id for r in rows] == [world.team("red").id, world.team("blue").id, world.team("green").id]


def test_equal_teams_are_listed_by_name(world, session):
    world.challenge = world.make_challenge("abc", teams=("zebras", "ants"))
    rows = team_standings(session, world.challenge.id)
    assert [(r.rank, r.name) for r in rows] == [(1, "Ants"), (1, "Zebras")]


def test_a_teams_score_counts_this_challenge_and_its_own_points_only(world, session):
    other = world.make_challenge("other")
    ada = world.player("ada@example.com", team="red")
    give(world, session, ada, 30, 1, challenge=other)
    give(world, session, ada, 5, 2, team="blue")  # earned while playing for blue
    give(world, session, ada, 8, 3)
    rows = {row.name: row for row in team_standings(session, world.challenge.id)}
    assert (rows["Red"].points, rows["Red"].active_members, rows["Red"].score) == (8, 1, 8.0)
    assert (rows["Blue"].points, rows["Blue"].active_members, rows["Blue"].score) == (5, 1, 5.0)


def test_a_team_not_in_the_challenge_is_not_on_its_board(world, session):
    world.make_challenge("green-only", teams=("green",))
    assert {row.name for row in team_standings(session, world.challenge.id)} == {"Red", "Blue"}


# People's board

def test_people_with_the_same_points_share_a_rank_listed_by_name(world, session):
    points = {"Cleo": 30, "Bea": 20, "Abe": 20, "Dan": 10, "Eve": 0}  # Bea joins before Abe
    players = {}
    for number, (name, amount) in enumerate(points.items()):
        players[name] = world.player(f"{name.lower()}@example.com", name=name)
        if amount:
            give(world, session, players[name], amount, number)
    standings = individual_standings(session, world.challenge.id)
    assert [(row.rank, row.name, row.points) for row in standings] == [
        (1, "Cleo", 30), (2, "Abe", 20), (2, "Bea", 20), (4, "Dan", 10), (5, "Eve", 0)]
    assert [row.team for row in standings] == ["Red"] * 5
    assert standings.index_of == {players[name].id: index for index, name in enumerate(["Cleo", "Abe", "Bea", "Dan",
                                                                                         "Eve"])}


def test_the_people_board_counts_this_challenge_and_enrolled_people_only(world, session, make_user):
    other = world.make_challenge("other")
    ada = world.player("ada@example.com")
    stranger = make_user("stranger@example.com", team="red")  # not enrolled
    give(world, session, ada, 9, 1, challenge=other)
    give(world, session, ada, 4, 2)
    give(world, session, stranger, 50, 3, challenge=other)
    standings = individual_standings(session, world.challenge.id)
    assert [(row.user_id, row.points) for row in standings] == [(ada.id, 4)]


@pytest.fixture
def crowd(world, session):
    """TOP_ROWS + 5 players, Player 00 best; each one point ahead of the next."""
    players = []
    for number in range(TOP_ROWS + 5):
        user = world.player(f"p{number:02}@example.com", name=f"Player {number:02}")
        give(world, session, user, 100 - number, number)
        players.append(user)
    return players


def test_the_full_board_shows_the_top_and_my_row_below_it(world, session, crowd):
    standings = individual_standings(session, world.challenge.id)
    mine = individual_board(standings, LeaderboardMode.FULL, crowd[TOP_ROWS + 2].id)
    assert len(mine) == TOP_ROWS + 1
    assert (mine[-1].rank, mine[-1].name, mine[-1].is_me) == (TOP_ROWS + 3, f"Player {TOP_ROWS + 2:02}", True)
    just_in = individual_board(standings, LeaderboardMode.FULL, crowd[TOP_ROWS - 1].id)
    assert len(just_in) == TOP_ROWS and just_in[-1].is_me
    first_out = individual_board(standings, LeaderboardMode.FULL, crowd[TOP_ROWS].id)
    assert len(first_out) == TOP_ROWS + 1 and first_out[-1].rank == TOP_ROWS + 1
    watching = individual_board(standings, LeaderboardMode.FULL, 0)
    assert len(watching) == TOP_ROWS and not any(row.is_me for row in watching)
    assert (watching[0].user_id, watching[0].team) == (crowd[0].id, "Red")


def test_the_relative_board_shows_my_neighbours_either_side(world, session, crowd):
    standings = individual_standings(session, world.challenge.id)
    rows = individual_board(standings, LeaderboardMode.RELATIVE, crowd[10].id)
    assert [row.name for row in rows] == [f"Player {n:02}" for n in range(10 - NEIGHBOURS, 10 + NEIGHBOURS + 1)]
    assert [row.is_me for row in rows] == [False] * NEIGHBOURS + [True] + [False] * NEIGHBOURS
    second = individual_board(standings, LeaderboardMode.RELATIVE, crowd[1].id)
    assert [row.name for row in second] == [f"Player {n:02}" for n in range(0, 4)]


def test_the_anonymous_board_still_shows_my_own_name_and_team(world, session, crowd):
    standings = individual_standings(session, world.challenge.id)
    rows = individual_board(standings, LeaderboardMode.ANONYMOUS, crowd[3].id)
    me = rows[3]
    assert (me.user_id, me.name, me.team, me.points, me.is_me) == (crowd[3].id, "Player 03", "Red", 97, True)
    assert (rows[0].user_id, rows[0].name, rows[0].team, rows[0].points) == (0, "Anonymous participant", "", 100)


def test_the_boards_a_viewer_sees_are_the_same_with_or_without_the_cache(world, session):
    ada, bo = world.player("ada@example.com", name="Ada"), world.player("bo@example.com", team="blue", name="Bo")
    give(world, session, ada, 6, 1)
    give(world, session, bo, 9, 2, team="blue")
    world.challenge.leaderboard_mode = LeaderboardMode.ANONYMOUS
    plain_teams, plain_people = boards_for(session, world.challenge, ada)
    cached_teams, cached_people = boards_for(session, world.challenge, ada, BoardCache())
    assert plain_teams == cached_teams
    # The board adds each team's rank at the start of today (its movement) to the standings.
    assert [replace(row, previous_rank=None) for row in plain_teams] == team_standings(session, world.challenge.id)
    assert plain_people == cached_people
    assert [(row.name, row.points) for row in plain_people] == [("Anonymous participant", 9), ("Ada", 6)]
    presented, _ = boards_for(session, world.challenge, ada, BoardCache(), present_teams=lambda rows: [r.name for r in rows])
    assert presented == ["Blue", "Red"]
    assert boards_for(session, world.challenge, ada, present_teams=len)[0] == 2


def test_a_cache_keeps_the_team_board_and_its_presentation_apart(world, session):
    ada = world.player("ada@example.com")
    give(world, session, ada, 6, 1)
    cache = BoardCache()
    rows, _ = boards_for(session, world.challenge, ada, cache)
    presented, _ = boards_for(session, world.challenge, ada, cache, present_teams=lambda rows: "rendered")
    assert presented == "rendered" and boards_for(session, world.challenge, ada, cache)[0] == rows


# Badges

def badge_for(world, rule, threshold=None, kind=None, scope=BadgeScope.INDIVIDUAL):
    params = {key: value for key, value in (("threshold", threshold), ("kind", kind)) if value is not None}
    return world.badge(rule, params, slug=f"{rule.value}-{threshold}-{kind}".replace("_", "-"), scope=scope)


def met(session, badge, challenge_id, user=None, team=None):
    return rule_met(session, badge, challenge_id, user_id=user.id if user else None, team_id=team.id if team else None)


def test_a_points_badge_is_met_exactly_at_its_threshold_in_its_challenge(world, session):
    other = world.make_challenge("other")
    ada = world.player("ada@example.com")
    badge = badge_for(world, BadgeRule.POINTS_REACHED, 10)
    give(world, session, ada, 9, 1)
    give(world, session, ada, 50, 2, challenge=other)
    assert not met(session, badge, world.challenge.id, ada)
    give(world, session, ada, 1, 3)
    assert met(session, badge, world.challenge.id, ada)


def test_a_team_points_badge_is_met_exactly_at_its_threshold(world, session):
    ada, bo = world.player("ada@example.com"), world.player("bo@example.com", team="blue")
    badge = badge_for(world, BadgeRule.TEAM_POINTS_REACHED, 10, scope=BadgeScope.TEAM)
    give(world, session, ada, 9, 1)
    give(world, session, bo, 9, 2, team="blue")
    assert not met(session, badge, world.challenge.id, team=world.team("red"))
    give(world, session, ada, 1, 3)
    assert met(session, badge, world.challenge.id, team=world.team("red"))
    assert not met(session, badge, world.challenge.id, team=world.team("blue"))


def test_missions_of_a_kind_count_only_mine_in_this_challenge(world, session):
    learn = world.mission("read", MissionKind.LEARN, max_completions=None)
    share = world.mission("share", MissionKind.SHARE, max_completions=None)
    ada, bo = world.player("ada@example.com"), world.player("bo@example.com")
    any_kind = badge_for(world, BadgeRule.MISSIONS_COMPLETED, 2)
    sharing = badge_for(world, BadgeRule.MISSIONS_COMPLETED, 2, kind="share")
    complete_mission(session, bo, share.id, "done", None, "b1")
    complete_mission(session, bo, share.id, "done", None, "b2")
    complete_mission(session, ada, share.id, "done", None, "a1")
    complete_mission(session, ada, learn.id, "done", None, "a2")
    session.commit()
    assert met(session, any_kind, world.challenge.id, ada) and not met(session, sharing, world.challenge.id, ada)
    assert not met(session, any_kind, world.make_challenge("other").id, ada)


def test_a_missions_badge_without_a_threshold_is_met_by_the_first(world, session):
    mission = world.mission()
    ada = world.player("ada@example.com")
    badge = world.badge(BadgeRule.MISSIONS_COMPLETED, {}, slug="first")
    assert not met(session, badge, world.challenge.id, ada)
    complete_mission(session, ada, mission.id, "done", None, "k1")
    assert met(session, badge, world.challenge.id, ada)
    zero = world.badge(BadgeRule.MISSIONS_COMPLETED, {"threshold": 0}, slug="zero")
    assert met(session, zero, world.challenge.id, ada)
    assert not met(session, zero, world.challenge.id, world.player("bo@example.com"))


def kudos(session, giver, receiver, challenge, item_id):
    session.add(Kudos(giver_id=giver.id, receiver_id=receiver.id, challenge_id=challenge.id, item_type="completion",
                      item_id=item_id))


def test_reflections_and_kudos_count_exactly_at_the_threshold_for_the_right_person(world, session):
    ada, bo = world.player("ada@example.com"), world.player("bo@example.com")
    other = world.make_challenge("other")
    written = badge_for(world, BadgeRule.REFLECTIONS_WRITTEN, 2)
    given = badge_for(world, BadgeRule.KUDOS_GIVEN, 2)
    received = badge_for(world, BadgeRule.KUDOS_RECEIVED, 2)
    for number, challenge in enumerate((world.challenge, other)):
        session.add(Reflection(prompt_id=None, user_id=ada.id, challenge_id=challenge.id,
                               team_id=world.team("red").id, body="A thought.", visibility=Visibility.TEAM))
        kudos(session, ada, bo, challenge, number)
    session.commit()
    assert not any(met(session, badge, world.challenge.id, person)
                   for badge in (written, given, received) for person in (ada, bo))
    session.add(Reflection(prompt_id=None, user_id=ada.id, challenge_id=world.challenge.id,
                           team_id=world.team("red").id, body="Another.", visibility=Visibility.TEAM))
    kudos(session, ada, bo, world.challenge, 10)
    session.commit()
    assert met(session, written, world.challenge.id, ada) and not met(session, written, world.challenge.id, bo)
    assert met(session, given, world.challenge.id, ada) and not met(session, given, world.challenge.id, bo)
    assert met(session, received, world.challenge.id, bo) and not met(session, received, world.challenge.id, ada)


def test_every_member_badge_needs_every_enrolled_member_of_the_team(world, session):
    learn = world.mission("read", MissionKind.LEARN, max_completions=None)
    ada, bo = world.player("ada@example.com"), world.player("bo@example.com")
    world.player("cy@example.com", team="blue")
    badge = badge_for(world, BadgeRule.TEAM_ALL_COMPLETED_KIND, kind="learn", scope=BadgeScope.TEAM)
    red = world.team("red")
    complete_mission(session, ada, learn.id, "done", None, "a1")
    assert not met(session, badge, world.challenge.id, team=red)
    complete_mission(session, bo, learn.id, "done", None, "b1")
    assert met(session, badge, world.challenge.id, team=red)
    assert not met(session, badge, world.challenge.id, team=world.team("blue"))
    kindless = world.badge(BadgeRule.TEAM_ALL_COMPLETED_KIND, {}, slug="kindless", scope=BadgeScope.TEAM)
    assert not met(session, kindless, world.challenge.id, team=red)


def test_a_team_with_nobody_enrolled_earns_no_every_member_badge(world, session):
    badge = badge_for(world, BadgeRule.TEAM_ALL_COMPLETED_KIND, kind="learn", scope=BadgeScope.TEAM)
    assert not met(session, badge, world.challenge.id, team=world.team("blue"))


def test_kudos_received_goes_to_the_receiver_and_team_badges_to_the_team(world, session):
    ada, bo = world.player("ada@example.com"), world.player("bo@example.com")
    received = badge_for(world, BadgeRule.KUDOS_RECEIVED, 1)
    given = badge_for(world, BadgeRule.KUDOS_GIVEN, 1)
    kudos(session, ada, bo, world.challenge, 1)
    session.commit()
    awarded = award_badges(session, [PlayEvent(PlayEventKind.KUDOS_GIVEN, ada.id, world.team("red").id,
                                               world.challenge.id, other_user_id=bo.id)])
    session.commit()
    assert sorted((a.badge.slug, a.award.subject, a.award.user_id, a.award.team_id) for a in awarded) == sorted([
        (received.slug, f"user:{bo.id}", bo.id, None), (given.slug, f"user:{ada.id}", ada.id, None)])
    assert all(a.award.challenge_id == world.challenge.id for a in awarded)


def test_a_badge_is_awarded_only_for_events_of_its_own_challenge(world, session):
    other = world.make_challenge("other")
    ada = world.player("ada@example.com")
    session.add(Enrolment(challenge_id=other.id, user_id=ada.id, team_id=world.team("red").id))
    session.commit()
    here = badge_for(world, BadgeRule.POINTS_REACHED, 5)
    give(world, session, ada, 5, 1)
    give(world, session, ada, 5, 2, challenge=other)
    awarded = award_badges(session, [PlayEvent(PlayEventKind.POINTS_RECORDED, ada.id, world.team("red").id, other.id)])
    assert awarded == []
    awarded = award_badges(session, [
        PlayEvent(PlayEventKind.POINTS_RECORDED, ada.id, world.team("red").id, world.challenge.id),
        PlayEvent(PlayEventKind.POINTS_RECORDED, ada.id, world.team("red").id, world.challenge.id)])
    session.commit()
    assert [(a.badge.id, a.award.subject) for a in awarded] == [(here.id, f"user:{ada.id}")]
    assert len(session.exec(select(BadgeAward)).all()) == 1


def test_a_team_badge_is_awarded_to_the_team(world, session):
    ada = world.player("ada@example.com")
    badge = badge_for(world, BadgeRule.TEAM_POINTS_REACHED, 5, scope=BadgeScope.TEAM)
    give(world, session, ada, 5, 1)
    (awarded,) = award_badges(session, [PlayEvent(PlayEventKind.POINTS_RECORDED, ada.id, world.team("red").id,
                                                  world.challenge.id)])
    assert (awarded.badge.id, awarded.award.subject, awarded.award.user_id, awarded.award.team_id) == (
        badge.id, f"team:{world.team('red').id}", None, world.team("red").id)


def test_one_cache_keeps_each_challenges_boards_apart(world, session):
    other = world.make_challenge("other")
    ada = world.player("ada@example.com")
    session.add(Enrolment(challenge_id=other.id, user_id=ada.id, team_id=world.team("red").id))
    session.commit()
    give(world, session, ada, 6, 1)
    give(world, session, ada, 40, 2, challenge=other)
    cache = BoardCache()
    for _ in range(2):  # computed, then from the cache
        here_teams, here_people = boards_for(session, world.challenge, ada, cache)
        there_teams, there_people = boards_for(session, other, ada, cache)
        assert [(row.name, row.points) for row in here_teams if row.points] == [("Red", 6)]
        assert [(row.name, row.points) for row in there_teams if row.points] == [("Red", 40)]
        assert [row.points for row in here_people] == [6] and [row.points for row in there_people] == [40]


def completion_of(world, session, user, mission, team="red", challenge=None, key=None):
    from webapp.models import Completion

    session.add(Completion(idempotency_key=key or f"{user.id}-{mission.id}-{team}", mission_id=mission.id,
                           challenge_id=(challenge or world.challenge).id, user_id=user.id,
                           team_id=world.team(team).id))
    session.commit()


def test_every_member_means_each_of_them_not_someone_twice(world, session):
    learn = world.mission("read", MissionKind.LEARN, max_completions=None)
    ada, bo, cy = (world.player(f"{name}@example.com") for name in ("ada", "bo", "cy"))
    badge = badge_for(world, BadgeRule.TEAM_ALL_COMPLETED_KIND, kind="learn", scope=BadgeScope.TEAM)
    completion_of(world, session, ada, learn)
    completion_of(world, session, bo, learn)
    assert not met(session, badge, world.challenge.id, team=world.team("red"))  # Cy has not
    completion_of(world, session, cy, learn)
    assert met(session, badge, world.challenge.id, team=world.team("red"))


def test_a_team_of_one_earns_the_every_member_badge_alone(world, session):
    learn = world.mission("read", MissionKind.LEARN)
    solo = world.player("solo@example.com", team="blue")
    badge = badge_for(world, BadgeRule.TEAM_ALL_COMPLETED_KIND, kind="learn", scope=BadgeScope.TEAM)
    completion_of(world, session, solo, learn, team="blue")
    assert met(session, badge, world.challenge.id, team=world.team("blue"))


def test_every_member_counts_this_challenges_members_and_completions_for_this_team(world, session):
    other = world.make_challenge("other")
    learn = world.mission("read", MissionKind.LEARN, max_completions=None)
    learn_elsewhere = world.mission("read-too", MissionKind.LEARN, max_completions=None, challenge=other)
    ada, bo = world.player("ada@example.com"), world.player("bo@example.com")
    world.player("cy@example.com", challenge=other)  # a red member playing only the other challenge
    badge = badge_for(world, BadgeRule.TEAM_ALL_COMPLETED_KIND, kind="learn", scope=BadgeScope.TEAM)
    completion_of(world, session, ada, learn)
    completion_of(world, session, bo, learn_elsewhere, challenge=other)  # not in this challenge
    completion_of(world, session, bo, learn, team="blue")  # not for this team
    assert not met(session, badge, world.challenge.id, team=world.team("red"))
    completion_of(world, session, bo, learn, key="bo-for-red")
    assert met(session, badge, world.challenge.id, team=world.team("red"))


def test_a_team_without_points_shows_zero_points(world, session):
    world.player("ada@example.com")
    rows = team_standings(session, world.challenge.id)
    assert {(row.name, row.points, row.active_members, row.score) for row in rows} == {
        ("Red", 0, 0, 0.0), ("Blue", 0, 0, 0.0)}


def test_a_skill_level_badge_is_met_exactly_at_that_level_of_that_skill(world, session):
    from webapp.models import MissionSkill, Skill

    testing, writing = Skill(challenge_id=world.challenge.id, name="Testing", position=0), Skill(
        challenge_id=world.challenge.id, name="Writing", position=1)
    session.add_all([testing, writing])
    session.commit()
    mission = world.mission(points=30, max_completions=None)
    session.add(MissionSkill(mission_id=mission.id, skill_id=testing.id, weight=1))
    session.commit()
    ada, bo = world.player("ada@example.com"), world.player("bo@example.com")
    tester = world.badge(BadgeRule.SKILL_LEVEL_REACHED, {"threshold": 3, "skill": "Testing"}, slug="tester")
    writer = world.badge(BadgeRule.SKILL_LEVEL_REACHED, {"threshold": 2, "skill": "Writing"}, slug="writer")
    unknown = world.badge(BadgeRule.SKILL_LEVEL_REACHED, {"threshold": 1, "skill": "Juggling"}, slug="juggler")
    complete_mission(session, ada, mission.id, "done", None, "k1")  # 30 XP in Testing: level 2
    assert not met(session, tester, world.challenge.id, ada)
    complete_mission(session, ada, mission.id, "done", None, "k2")  # 60 XP: level 3, exactly
    session.commit()
    assert met(session, tester, world.challenge.id, ada)
    assert not met(session, tester, world.challenge.id, bo)
    assert not met(session, writer, world.challenge.id, ada)  # XP in one skill is not XP in another
    assert not met(session, unknown, world.challenge.id, ada)  # a skill the challenge does not have


def test_evidence_waiting_for_a_lead_counts_for_no_badge(world, session):
    from webapp.models import MissionApproval

    mission = world.mission("read", MissionKind.LEARN, approval=MissionApproval.LEAD)
    ada = world.player("ada@example.com")
    first = badge_for(world, BadgeRule.MISSIONS_COMPLETED, 1)
    every = badge_for(world, BadgeRule.TEAM_ALL_COMPLETED_KIND, kind="learn", scope=BadgeScope.TEAM)
    result = complete_mission(session, ada, mission.id, "done", None, "k1")
    session.commit()
    assert result.pending and result.badges == []
    assert not met(session, first, world.challenge.id, ada)
    assert not met(session, every, world.challenge.id, team=world.team("red"))


def test_a_streak_badge_counts_the_days_played_in_its_own_challenge_only(world, session):
    from datetime import timedelta

    from webapp.models import Completion, utcnow

    other = world.make_challenge("other")
    ada = world.player("ada@example.com")
    session.add(Enrolment(challenge_id=other.id, user_id=ada.id, team_id=world.team("red").id))
    here, there = world.mission("here", max_completions=None), world.mission("there", challenge=other)
    badge = badge_for(world, BadgeRule.STREAK_DAYS, 2)
    now = utcnow()
    for key, mission, moment in (("y", there, now - timedelta(days=1)), ("t", here, now)):
        session.add(Completion(idempotency_key=key, mission_id=mission.id, challenge_id=mission.challenge_id,
                               user_id=ada.id, team_id=world.team("red").id, created_at=moment))
    session.commit()
    # Two days in a row across both challenges, but one day in this one: no two-day streak badge here.
    assert not met(session, badge, world.challenge.id, ada)
    session.add(Completion(idempotency_key="y2", mission_id=here.id, challenge_id=world.challenge.id, user_id=ada.id,
                           team_id=world.team("red").id, created_at=now - timedelta(days=1)))
    session.commit()
    assert met(session, badge, world.challenge.id, ada)


def test_one_completion_awards_every_badge_it_earns_whatever_comes_before_it(world, session):
    mission = world.mission(max_completions=None)
    ada = world.player("ada@example.com")
    # Looked at in this order: a rule the completion does not move, one not met yet, one already given.
    world.badge(BadgeRule.POINTS_REACHED, {"threshold": 1000}, slug="rich")
    world.badge(BadgeRule.MISSIONS_COMPLETED, {"threshold": 5}, slug="five")
    world.badge(BadgeRule.MISSIONS_COMPLETED, {"threshold": 1}, slug="first")
    world.badge(BadgeRule.MISSIONS_COMPLETED, {"threshold": 2}, slug="second")
    first = complete_mission(session, ada, mission.id, "done", None, "k1")
    assert [awarded.badge.slug for awarded in first.badges] == ["first"]
    second = complete_mission(session, ada, mission.id, "done", None, "k2")
    assert [awarded.badge.slug for awarded in second.badges] == ["second"]


# Fairness: a team's score is points per member times (1 + share of members active) / 2

def test_a_team_where_some_members_played_scores_per_member_with_its_share_active(world, session):
    red = [world.player(f"r{n}@example.com", team="red") for n in range(3)]
    give(world, session, red[0], 30, 1)  # one of three active: 30/3 x (1 + 1/3) / 2 = 6.67
    (row,) = [row for row in team_standings(session, world.challenge.id) if row.name == "Red"]
    assert (row.points, row.active_members, row.members, float(row.score)) == (30, 1, 3, 6.7)
    give(world, session, red[1], 10, 2)  # two of three: 40/3 x (1 + 2/3) / 2 = 11.11
    (row,) = [row for row in team_standings(session, world.challenge.id) if row.name == "Red"]
    assert (row.points, row.active_members, row.members, float(row.score)) == (40, 2, 3, 11.1)


def test_someone_who_left_the_team_still_counts_as_a_member_where_they_played(world, session):
    from webapp.models import Membership

    ada, bo = world.player("ada@example.com", team="red"), world.player("bo@example.com", team="red")
    give(world, session, ada, 20, 1)
    give(world, session, bo, 10, 2)
    session.delete(session.exec(select(Membership).where(Membership.user_id == bo.id)).one())
    session.commit()
    (row,) = [row for row in team_standings(session, world.challenge.id) if row.name == "Red"]
    # Two members who both played (not one member with two players' points): 30/2 x (1 + 2/2) / 2.
    assert (row.points, row.active_members, row.members, float(row.score)) == (30, 2, 2, 15.0)


def test_the_team_board_counts_members_of_each_team_apart(world, session):
    for n in range(3):
        world.player(f"b{n}@example.com", team="blue")
    ada = world.player("ada@example.com", team="red")
    give(world, session, ada, 12, 1)
    rows = {row.name: row for row in team_standings(session, world.challenge.id)}
    assert (rows["Red"].members, float(rows["Red"].score)) == (1, 12.0)
    assert (rows["Blue"].members, float(rows["Blue"].score)) == (3, 0.0)


def test_a_team_with_nobody_in_it_scores_zero_on_the_board(world, session):
    world.challenge = world.make_challenge("empty-team", teams=("red", "ghosts"))
    (ghosts,) = [row for row in team_standings(session, world.challenge.id) if row.name == "Ghosts"]
    assert (ghosts.rank, ghosts.points, ghosts.active_members, ghosts.members, ghosts.score) == (1, 0, 0, 0, 0.0)


def test_teams_tied_on_score_are_ordered_by_points_not_by_active_members(world, session):
    red = [world.player(f"r{n}@example.com", team="red") for n in range(4)]
    blue = [world.player(f"b{n}@example.com", team="blue") for n in range(2)]
    give(world, session, red[0], 48, 1)  # 48/4 x (1 + 1/4) / 2 = 7.5, one active
    give(world, session, blue[0], 10, 2, team="blue")
    give(world, session, blue[1], 5, 3, team="blue")  # 15/2 x (1 + 2/2) / 2 = 7.5, two active
    rows = team_standings(session, world.challenge.id)
    assert [(row.rank, row.name, row.points, row.active_members, float(row.score)) for row in rows] == [
        (1, "Red", 48, 1, 7.5), (1, "Blue", 15, 2, 7.5)]


# Movement since yesterday: each row carries its rank at the start of today (UTC)

def test_the_boards_show_each_rank_at_the_start_of_today(world, session, monkeypatch):
    from datetime import UTC, datetime

    import webapp.play.leaderboards as leaderboards

    monkeypatch.setattr(leaderboards, "utcnow", lambda: datetime(2026, 3, 10, 15, 0, tzinfo=UTC))
    ada, bo = world.player("ada@example.com", name="Ada"), world.player("bo@example.com", team="blue", name="Bo")
    cy = world.player("cy@example.com", name="Cy")

    def points(user, team, amount, source, when):
        record_points(session, user_id=user.id, team_id=world.team(team).id, challenge_id=world.challenge.id,
                      amount=amount, reason=PointReason.ADJUSTMENT, source_type="test", source_id=source,
                      created_at=when)
        session.commit()

    # Yesterday Red led (20 points, one of two members active: 7.5) and Blue followed (5).
    points(ada, "red", 20, 1, datetime(2026, 3, 9, 12, 0, tzinfo=UTC))
    points(bo, "blue", 5, 2, datetime(2026, 3, 9, 23, 59, 59, tzinfo=UTC))
    # Today, from midnight on the dot, Bo and Blue overtake.
    points(bo, "blue", 20, 3, datetime(2026, 3, 10, 0, 0, tzinfo=UTC))
    world.challenge.leaderboard_mode = LeaderboardMode.FULL
    for cache in (None, BoardCache()):
        teams, people = boards_for(session, world.challenge, ada, cache)
        assert [(row.name, row.rank, row.previous_rank) for row in teams] == [("Blue", 1, 2), ("Red", 2, 1)]
        assert [(row.name, row.points, row.rank, row.previous_rank) for row in people] == [
            ("Bo", 25, 1, 2), ("Ada", 20, 2, 1), ("Cy", 0, 3, 3)]
    assert boards_for(session, world.challenge, cy)[1][2].is_me
