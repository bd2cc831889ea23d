"""Team ranking is fair to small teams and bringing people in never hurts: a newcomer's first points can only
raise their team's score (they dropped it from 5th to 6th when teams ranked by points per active member)."""
from __future__ import annotations

from webapp.models import Enrolment
from webapp.play.leaderboards import fair_score, team_standings

from .test_leaderboards import give


def rank_of(session, world, name: str) -> tuple[int, float]:
    row = next(row for row in team_standings(session, world.challenge.id) if row.name == name)
    return row.rank, float(row.score)


def test_a_newcomers_first_points_never_drop_their_team(world, session):
    # Red: two regulars with 20 points each and a newcomer who just joined; Blue: three players, 19 each.
    regulars = [world.player(f"reg{n}@example.com", team="red") for n in range(2)]
    newcomer = world.player("new@example.com", team="red")
    blues = [world.player(f"blue{n}@example.com", team="blue") for n in range(3)]
    for number, user in enumerate(regulars):
        give(world, session, user, "red", 20, number)
    for number, user in enumerate(blues):
        give(world, session, user, "blue", 19, 10 + number)
    rank_before, score_before = rank_of(session, world, "Red")
    # Per active member Red led (20 against 19) and the newcomer's +10 would have sunk it to 16.7, 2nd.
    give(world, session, newcomer, "red", 10, 99)
    rank_after, score_after = rank_of(session, world, "Red")
    assert score_after > score_before
    assert rank_after <= rank_before


def test_joining_without_points_changes_nothing(world, session):
    ada = world.player("ada@example.com", team="red")
    late = world.player("late@example.com", team="red", enrol=False)  # in the team, not in the challenge yet
    give(world, session, ada, "red", 30, 1)
    before = rank_of(session, world, "Red")
    session.add(Enrolment(user_id=late.id, challenge_id=world.challenge.id, team_id=world.team("red").id))
    session.commit()  # joins the challenge, plays later
    assert rank_of(session, world, "Red") == before


def test_a_small_team_is_not_outscored_by_headcount(world, session):
    big = [world.player(f"big{n}@example.com", team="red") for n in range(4)]
    solo = world.player("solo@example.com", team="blue")
    for number, user in enumerate(big):
        give(world, session, user, "red", 20, number)
    give(world, session, solo, "blue", 30, 99)
    rows = team_standings(session, world.challenge.id)
    assert [(row.name, float(row.score)) for row in rows] == [("Blue", 30.0), ("Red", 20.0)]


def test_more_points_or_more_players_never_lower_the_score():
    for members in range(1, 9):
        for active in range(0, members + 1):
            for points in range(0, 200, 7):
                score = fair_score(points, active, members)
                assert fair_score(points + 10, active, members) >= score
                if active < members:  # a teammate's first points: one more active member, and their points
                    assert fair_score(points + 1, active + 1, members) >= score
