"""The team feed: what appears, kudos rules, constructive feedback and feedback missions."""
from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from webapp.models import Feedback, Kudos, MissionKind, PointEvent, PointReason, Reflection, Visibility
from webapp.problems import NotFound
from webapp.play.feed import FeedRefused, give_feedback, give_kudos, team_feed
from webapp.play.policy import KUDOS_POINTS
from webapp.play.ledger import user_points
from webapp.play.missions import complete_mission


@pytest.fixture
def shared(world, session):
    mission = world.mission(max_completions=None)
    ada, bo = world.player("ada@example.com", name="Ada"), world.player("bo@example.com", name="Bo")
    cy = world.player("cy@example.com", team="blue", name="Cy")
    done = complete_mission(session, ada, mission.id, "I read **it**", None, "k1").completion
    red = world.team("red").id
    public = Reflection(user_id=ada.id, challenge_id=world.challenge.id, team_id=red, body="Shared lesson",
                        visibility=Visibility.TEAM)
    private = Reflection(user_id=ada.id, challenge_id=world.challenge.id, team_id=red, body="My secret",
                         visibility=Visibility.PRIVATE)
    session.add_all([public, private])
    session.commit()
    return dict(ada=ada, bo=bo, cy=cy, completion=done, public=public, private=private)


def test_feed_shows_team_completions_and_shared_reflections_only(world, session, shared):
    items = team_feed(session, shared["bo"], world.challenge.id, world.team("red").id)
    assert {(item.item_type, item.item_id) for item in items} == {
        ("completion", shared["completion"].id), ("reflection", shared["public"].id)}
    assert all("secret" not in item.body for item in items)


def test_kudos_gives_the_receiver_points_once(world, session, shared):
    kudos, new = give_kudos(session, shared["bo"], "completion", shared["completion"].id)
    session.commit()
    again, new_again = give_kudos(session, shared["bo"], "completion", shared["completion"].id)
    session.commit()
    assert new and not new_again and again.id == kudos.id
    assert session.exec(select(func.count()).select_from(Kudos)).one() == 1
    received = session.exec(select(PointEvent).where(PointEvent.reason == PointReason.KUDOS_RECEIVED)).all()
    assert [(e.user_id, e.amount) for e in received] == [(shared["ada"].id, KUDOS_POINTS)]


def test_no_kudos_to_oneself(world, session, shared):
    with pytest.raises(FeedRefused, match="yourself"):
        give_kudos(session, shared["ada"], "completion", shared["completion"].id)


def test_database_also_refuses_self_kudos_and_duplicates(world, session, shared):
    ada, bo = shared["ada"], shared["bo"]
    session.add(Kudos(giver_id=ada.id, receiver_id=ada.id, challenge_id=world.challenge.id, item_type="completion",
                      item_id=shared["completion"].id))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    for _ in range(2):
        session.add(Kudos(giver_id=bo.id, receiver_id=ada.id, challenge_id=world.challenge.id,
                          item_type="completion", item_id=shared["completion"].id))
    with pytest.raises(IntegrityError):
        session.commit()


def test_other_teams_and_private_reflections_are_out_of_reach(world, session, shared):
    with pytest.raises(NotFound):
        give_kudos(session, shared["cy"], "completion", shared["completion"].id)
    with pytest.raises(NotFound):
        give_kudos(session, shared["bo"], "reflection", shared["private"].id)
    with pytest.raises(NotFound):
        give_feedback(session, shared["cy"], "reflection", shared["public"].id, "Nice", "fb-1")


def test_kudos_on_a_shared_reflection(world, session, shared):
    _, new = give_kudos(session, shared["bo"], "reflection", shared["public"].id)
    session.commit()
    assert new and user_points(session, shared["ada"].id) == 10 + KUDOS_POINTS


@pytest.mark.parametrize("body, message", [("   ", "Write your feedback"), ("x" * 1001, "under 1000")])
def test_feedback_must_be_non_empty_and_short_enough(world, session, shared, body, message):
    with pytest.raises(FeedRefused, match=message) as refusal:
        give_feedback(session, shared["bo"], "completion", shared["completion"].id, body, "fb-2")
    assert refusal.value.field == "body"


def test_feedback_is_for_teammates_work(world, session, shared):
    with pytest.raises(FeedRefused, match="not your own"):
        give_feedback(session, shared["ada"], "completion", shared["completion"].id, "Great me", "fb-3")


def test_feedback_completes_an_open_feedback_mission_once(world, session, shared):
    world.mission("give-feedback", MissionKind.FEEDBACK, points=5, evidence_required=True)
    result = give_feedback(session, shared["bo"], "completion", shared["completion"].id, "Add a summary line.", "fb-4")
    session.commit()
    assert result.mission is not None and result.mission.points == 5
    assert "Add a summary line." in result.mission.completion.evidence_text
    # The mission allows one completion: more feedback is kept but completes nothing.
    second = give_feedback(session, shared["bo"], "reflection", shared["public"].id, "Thanks for sharing.", "fb-5")
    session.commit()
    assert second.mission is None
    assert session.exec(select(func.count()).select_from(Feedback)).one() == 2
    assert user_points(session, shared["bo"].id) == 5


def test_double_clicked_feedback_is_stored_once(world, session, shared):
    first = give_feedback(session, shared["bo"], "completion", shared["completion"].id, "Nice", "one-form")
    again = give_feedback(session, shared["bo"], "completion", shared["completion"].id, "Nice", "one-form")
    session.commit()
    assert session.exec(select(func.count()).select_from(Feedback)).one() == 1
    assert again.feedback.id == first.feedback.id


def test_a_form_of_someone_else_is_refused(world, session, shared):
    di = world.player("di@example.com", name="Di")
    give_feedback(session, shared["bo"], "completion", shared["completion"].id, "Nice", "bo-form")
    session.commit()
    with pytest.raises(FeedRefused, match="already been used"):
        give_feedback(session, di, "completion", shared["completion"].id, "Nice", "bo-form")


def test_feedback_without_its_form_key_is_refused_and_stores_nothing(world, session, shared):
    with pytest.raises(FeedRefused, match="expired"):
        give_feedback(session, shared["bo"], "completion", shared["completion"].id, "Nice", " ")
    session.rollback()
    assert session.exec(select(func.count()).select_from(Feedback)).one() == 0
