"""Editing a running challenge is safe: the ledger, completions and awards stay as they were."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from webapp.challenges import badges, missions
from webapp.problems import Invalid
from webapp.challenges.schema import BadgeFields, MissionFields
from webapp.models import (
    Badge, BadgeAward, BadgeRule, ChallengeStatus, Completion, Mission, PointEvent, PointReason, Team,
)


@pytest.fixture
def running(session, make_user, make_challenge):
    """A running challenge where Ada completed mission m0 (10 points) and earned a badge."""
    ada = make_user("ada@example.com", team="platform")
    platform = session.exec(select(Team)).one()
    challenge = make_challenge(kinds=("learn", "share"), teams=[platform], starts_in=timedelta(days=-1))
    challenge.status = ChallengeStatus.RUNNING
    mission = session.exec(select(Mission).where(Mission.slug == "m0")).one()
    completion = Completion(idempotency_key="k1", mission_id=mission.id, challenge_id=challenge.id, user_id=ada.id,
                            team_id=platform.id, points_awarded=10)
    session.add(completion)
    session.flush()
    session.add(PointEvent(user_id=ada.id, team_id=platform.id, challenge_id=challenge.id, amount=10,
                           reason=PointReason.COMPLETION, source_type="completion", source_id=completion.id))
    badge = Badge(challenge_id=challenge.id, slug="first", name="First", rule=BadgeRule.MISSIONS_COMPLETED,
                  params={"threshold": 1})
    session.add(badge)
    session.flush()
    session.add(BadgeAward(badge_id=badge.id, challenge_id=challenge.id, subject=f"user:{ada.id}", user_id=ada.id))
    session.commit()
    return challenge, mission, badge, ada


def ledger(session):
    session.expire_all()
    return [(e.user_id, e.amount, e.source_id) for e in session.exec(select(PointEvent).order_by(PointEvent.id))]


def edit(mission: Mission, **changes) -> MissionFields:
    data = {name: getattr(mission, name) for name in missions.FIELDS}
    data.update(changes)
    return MissionFields(**data)


def test_changing_points_leaves_the_ledger_alone(session, running):
    challenge, mission, _, _ = running
    before = ledger(session)
    missions.update_mission(session, challenge, mission, edit(mission, points=50))
    session.commit()
    assert ledger(session) == before == [(running[3].id, 10, before[0][2])]
    assert session.exec(select(Completion)).one().points_awarded == 10
    assert session.get(Mission, mission.id).points == 50


def test_changing_points_from_the_page_leaves_the_ledger_alone(client, session, admin, auth, running):
    challenge, mission, _, _ = running
    before = ledger(session)
    data = {name: str(getattr(mission, name)) for name in ("slug", "title", "instructions", "max_completions", "cooldown_hours")}
    data.update(kind="learn", points="40", evidence_required="on")
    response = auth.post(f"/admin/missions/{mission.id}", data, page=f"/admin/challenges/{challenge.id}",
                         headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert ">40<" in response.get_data(as_text=True)  # the row swapped back in shows the new points
    assert ledger(session) == before


def test_mission_with_completions_is_retired_not_deleted(session, running):
    challenge, mission, _, _ = running
    with pytest.raises(Invalid, match="retire it instead"):
        missions.delete_mission(session, challenge, mission)
    missions.retire_mission(session, challenge, mission)
    session.commit()
    assert session.get(Mission, mission.id).retired_at is not None
    assert [m.slug for m in missions.missions_of(session, challenge)] == ["m1"]
    assert session.exec(select(func.count()).select_from(Completion)).one() == 1
    assert len(ledger(session)) == 1


def test_mission_without_completions_can_be_deleted(session, running):
    challenge, _, _, _ = running
    other = session.exec(select(Mission).where(Mission.slug == "m1")).one()
    missions.delete_mission(session, challenge, other)
    session.commit()
    assert session.get(Mission, other.id) is None


def test_delete_route_refuses_a_completed_mission(client, session, admin, auth, running):
    challenge, mission, _, _ = running
    response = auth.post(f"/admin/missions/{mission.id}/delete", page=f"/admin/challenges/{challenge.id}",
                         headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "retire it instead" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Mission, mission.id) is not None


def test_badge_rule_change_keeps_awards(session, running):
    challenge, _, badge, ada = running
    fields = BadgeFields(slug="first", name="First", rule=BadgeRule.POINTS_REACHED, threshold=500)
    badges.update_badge(session, challenge, badge, fields)
    session.commit()
    award = session.exec(select(BadgeAward)).one()
    assert award.user_id == ada.id
    assert session.get(Badge, badge.id).params == {"threshold": 500}


def test_awarded_badge_is_retired_not_deleted(session, running):
    challenge, _, badge, _ = running
    with pytest.raises(Invalid, match="retire it instead"):
        badges.delete_badge(session, challenge, badge)
    badges.retire_badge(session, challenge, badge)
    session.commit()
    assert session.exec(select(BadgeAward)).one()


def test_closed_challenge_cannot_be_edited(session, running):
    challenge, mission, _, _ = running
    challenge.status = ChallengeStatus.CLOSED
    with pytest.raises(Invalid, match="can no longer be changed"):
        missions.update_mission(session, challenge, mission, edit(mission, points=5))


def test_mission_order_moves_up_and_down(session, make_challenge):
    challenge = make_challenge(kinds=("learn", "share", "help"))
    third = session.exec(select(Mission).where(Mission.slug == "m2")).one()
    missions.move_mission(session, challenge, third, "up")
    session.commit()
    assert [m.slug for m in missions.missions_of(session, challenge)] == ["m0", "m2", "m1"]
    first = session.exec(select(Mission).where(Mission.slug == "m0")).one()
    missions.move_mission(session, challenge, first, "up")  # already first: nothing moves
    missions.move_mission(session, challenge, first, "down")
    session.commit()
    assert [m.slug for m in missions.missions_of(session, challenge)] == ["m2", "m0", "m1"]
