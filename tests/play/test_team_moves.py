"""Moving a person between teams: membership is the rule for what they read and whom their new points serve.

After a move from red to blue the person reads blue's team-only feed (not what red posts after the move),
their new completions and reflections count for blue, and what they earned for red stays with red, on
the boards and the programme dashboards alike."""
from __future__ import annotations

import pytest
from sqlmodel import select

from webapp.models import Completion, Enrolment, PointEvent, PromptStatus, Reflection, ReflectionPrompt, Role, TeamDay
from webapp.monitoring import rollups
from webapp.play.leaderboards import team_standings
from webapp.play.ledger import team_points
from webapp.play.missions import complete_mission
from webapp.reflection.answers import answer_prompt

from ..conftest import Auth


def signed_in(app, email: str) -> Auth:
    auth = Auth(app.test_client())
    assert auth.login(email).status_code == 303
    return auth


@pytest.fixture
def before_the_move(world, session):
    """Ada and Bo play for red, Cy for blue; Ada earned 10 points for red before any move."""
    mission = world.mission(points=10, max_completions=None)
    ada, bo = world.player("ada@example.com", name="Ada"), world.player("bo@example.com", name="Bo")
    cy = world.player("cy@example.com", team="blue", name="Cy")
    world.make_user("admin@example.com", role=Role.ADMIN)
    complete_mission(session, ada, mission.id, "Ada for red, before the move", None, "ada-before")
    session.commit()
    return dict(mission=mission, ada=ada, bo=bo, cy=cy, red=world.team("red").id, blue=world.team("blue").id)


def move_by_adding_then_removing(app, people):
    """The move as admins could always make it: add to blue, then take out of red."""
    admin = signed_in(app, "admin@example.com")
    added = admin.post(f"/admin/teams/{people['blue']}/members", {"email": "ada@example.com"}, page="/admin/teams")
    assert added.status_code == 303
    removed = admin.post(f"/admin/teams/{people['red']}/members/{people['ada'].id}/remove", page="/admin/teams")
    assert removed.status_code == 303


def move_in_one_step(app, people):
    admin = signed_in(app, "admin@example.com")
    moved = admin.post(f"/admin/teams/{people['red']}/members/{people['ada'].id}/move",
                       {"to_team_id": str(people["blue"])}, page="/admin/teams")
    assert moved.status_code == 303


@pytest.mark.parametrize("move", [move_by_adding_then_removing, move_in_one_step], ids=["add-remove", "move"])
def test_after_a_move_the_new_team_is_theirs_and_the_old_keeps_its_points(app, world, session, before_the_move,
                                                                            move):
    people, mission = before_the_move, before_the_move["mission"]
    move(app, people)
    # Red and blue post after the move: evidence and a shared reflection each.
    complete_mission(session, people["bo"], mission.id, "Red evidence after the move", None, "bo-after")
    complete_mission(session, people["cy"], mission.id, "Blue evidence after the move", None, "cy-after")
    for name, team in (("bo", "red"), ("cy", "blue")):
        session.add(Reflection(user_id=people[name].id, challenge_id=world.challenge.id, team_id=people[team],
                               body=f"{team.title()} reflection after the move", visibility="team"))
    session.commit()

    ada = signed_in(app, "ada@example.com")
    feed = ada.client.get(f"/play/challenges/{world.challenge.id}/feed").get_data(as_text=True)
    assert "Blue evidence after the move" in feed and "Blue reflection after the move" in feed
    assert "Red evidence after the move" not in feed and "Red reflection after the move" not in feed

    done = ada.post(f"/play/missions/{mission.id}/complete", {"idempotency_key": "ada-after", "evidence_text": "x"})
    assert done.status_code == 303
    session.expire_all()
    completion = session.exec(select(Completion).where(Completion.idempotency_key == "ada-after")).one()
    assert completion.team_id == people["blue"]
    assert team_points(session, people["red"], world.challenge.id) == 10 + 10  # Ada's before, Bo's after
    assert team_points(session, people["blue"], world.challenge.id) == 10 + 10  # Cy's, Ada's after
    by_team = {row.name: row for row in team_standings(session, world.challenge.id)}
    assert (by_team["Red"].points, by_team["Blue"].points) == (20, 20)
    rollups.refresh(session)
    session.commit()
    rolled = dict(session.exec(select(TeamDay.team_id, TeamDay.points)).all())
    assert rolled == {people["red"]: 20, people["blue"]: 20}


def test_a_reflection_written_after_the_move_is_shared_with_the_new_team(app, world, session, before_the_move):
    people = before_the_move
    done = session.exec(select(Completion).where(Completion.idempotency_key == "ada-before")).one()
    prompt = ReflectionPrompt(work_key="after-move", user_id=people["ada"].id, challenge_id=world.challenge.id,
                              completion_id=done.id, status=PromptStatus.READY, text="What happened?")
    session.add(prompt)
    session.commit()
    move_in_one_step(app, people)
    session.expire_all()
    reflection, points = answer_prompt(session, session.get(type(people["ada"]), people["ada"].id), prompt.id,
                                       "We learned to read the query plan first.", "team")
    session.commit()
    assert reflection.team_id == people["blue"]
    event = session.exec(select(PointEvent).where(PointEvent.source_type == "reflection")).one()
    assert event.team_id == people["blue"] and points == event.amount


def test_moving_into_a_team_outside_the_challenge_closes_it_to_them(app, world, session, before_the_move):
    people = before_the_move
    world.make_challenge("green-only", teams=("green",))
    admin = signed_in(app, "admin@example.com")
    green = world.team("green").id
    assert admin.post(f"/admin/teams/{people['red']}/members/{people['ada'].id}/move", {"to_team_id": str(green)},
                      page="/admin/teams").status_code == 303
    ada = signed_in(app, "ada@example.com")
    assert ada.client.get(f"/play/challenges/{world.challenge.id}/feed").status_code == 404
    assert ada.post(f"/play/missions/{people['mission'].id}/complete",
                    {"idempotency_key": "ada-green", "evidence_text": "x"}).status_code == 404
    session.expire_all()
    enrolment = session.exec(select(Enrolment).where(Enrolment.user_id == people["ada"].id)).one()
    assert enrolment.team_id == people["red"]  # their history in the challenge stays where it was made


def test_a_move_needs_a_team_to_move_to(app, world, session, before_the_move):
    people = before_the_move
    admin = signed_in(app, "admin@example.com")
    refused = admin.post(f"/admin/teams/{people['red']}/members/{people['ada'].id}/move", {"to_team_id": ""},
                         page="/admin/teams", headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "Choose the team to move them to." in refused.get_data(as_text=True)
    session.expire_all()
    assert session.exec(select(Enrolment.team_id).where(Enrolment.user_id == people["ada"].id)).one() == people["red"]
