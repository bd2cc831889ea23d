"""Admins correct points by appending an adjustment: why and who are kept, and every total follows."""
from __future__ import annotations

import pytest
from sqlmodel import func, select

from webapp.models import PointAdjustment, PointEvent, PointReason, Role, TeamDay
from webapp.monitoring import rollups
from webapp.play.adjustments import AdjustmentInvalid, adjust_points
from webapp.play.leaderboards import BoardCache, boards_for
from webapp.play.ledger import user_points
from webapp.play.levels import level_for
from webapp.play.missions import complete_mission

from ..conftest import Auth


def signed_in(app, email: str) -> Auth:
    auth = Auth(app.test_client())
    assert auth.login(email).status_code == 303
    return auth


@pytest.fixture
def earned(world, session):
    """Ada earned 60 points for red (level Explorer); an admin is around."""
    mission = world.mission(points=60)
    ada = world.player("ada@example.com", name="Ada")
    admin = world.make_user("admin@example.com", role=Role.ADMIN, name="Grace Admin")
    complete_mission(session, ada, mission.id, "Read it", None, "ada-1")
    session.commit()
    return dict(ada=ada, admin=admin, mission=mission)


def test_a_correction_is_a_ledger_event_that_every_total_follows(app, world, session, earned):
    ada = earned["ada"]
    cache = BoardCache()
    boards_for(session, world.challenge, ada, cache)  # a board computed before, cached
    assert level_for(user_points(session, ada.id)).name == "Explorer"
    admin = signed_in(app, "admin@example.com")
    answer = admin.post(f"/admin/users/{ada.id}/points", {"challenge_id": str(world.challenge.id), "amount": "-20",
                                                          "reason": "Counted the same talk twice"},
                        page=f"/admin/users/{ada.id}/points")
    assert answer.status_code == 303
    session.expire_all()
    adjustment = session.exec(select(PointAdjustment)).one()
    assert (adjustment.amount, adjustment.reason, adjustment.admin_id, adjustment.team_id) == (
        -20, "Counted the same talk twice", earned["admin"].id, world.team("red").id)
    event = session.exec(select(PointEvent).where(PointEvent.reason == PointReason.ADJUSTMENT)).one()
    assert (event.amount, event.source_type, event.source_id) == (-20, "adjustment", adjustment.id)
    # Totals, level, boards and dashboards follow.
    assert user_points(session, ada.id) == 40
    assert level_for(40).name == "Newcomer"
    teams, people = boards_for(session, world.challenge, ada, cache)
    assert {row.name: row.points for row in teams}["Red"] == 40
    assert [row.points for row in people if row.is_me] == [40]
    rollups.refresh(session)
    session.commit()
    assert session.exec(select(func.sum(TeamDay.points)).where(TeamDay.team_id == world.team("red").id)).one() == 40
    # The person reads it in their history, the admins in the trail.
    mine = signed_in(app, "ada@example.com").client.get("/play/points").get_data(as_text=True)
    assert "Correction by Grace Admin: Counted the same talk twice" in mine and "-20" in mine
    assert "Mission completed: Read" in mine
    trail = admin.client.get("/admin/adjustments").get_data(as_text=True)
    assert "Counted the same talk twice" in trail and "Grace Admin" in trail and "Ada" in trail


@pytest.mark.parametrize("form, field, message", [
    ({"amount": "abc"}, "amount", "whole number"),
    ({"amount": "²"}, "amount", "whole number"),
    ({"amount": "0"}, "amount", "changes nothing"),
    ({"amount": "99999"}, "amount", "between"),
    ({"amount": "-61"}, "amount", "take away at most 60"),
    ({"reason": "  "}, "reason", "Say why"),
    ({"reason": "x" * 501}, "reason", "under 500"),
    ({"challenge_id": ""}, "challenge_id", "takes part in"),
])
def test_a_refused_correction_shows_why_beside_the_field_keeps_the_input_and_stores_nothing(
        app, world, session, earned, form, field, message):
    ada = earned["ada"]
    admin = signed_in(app, "admin@example.com")
    sent = {"challenge_id": str(world.challenge.id), "amount": "15", "reason": "Ran the workshop", **form}
    answer = admin.post(f"/admin/users/{ada.id}/points", sent, page=f"/admin/users/{ada.id}/points")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert f'id="adjust-{field}-error"' in page and message in page
    assert f'id="adjust-{field}" name="{field}"' in page and 'aria-invalid="true"' in page
    if field != "challenge_id":
        assert sent["reason"].strip()[:40] in page  # what was typed is still there
    session.expire_all()
    assert session.exec(select(func.count()).select_from(PointAdjustment)).one() == 0
    assert user_points(session, ada.id) == 60


def test_an_admin_cannot_correct_their_own_points(world, session, earned):
    admin = earned["admin"]
    with pytest.raises(AdjustmentInvalid) as refused:
        adjust_points(session, admin, admin, world.challenge.id, "50", "Because")
    assert "your own points" in refused.value.errors["amount"]


def test_a_reason_with_markup_is_shown_as_text(app, world, session, earned):
    ada = earned["ada"]
    admin = signed_in(app, "admin@example.com")
    reason = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    assert admin.post(f"/admin/users/{ada.id}/points", {"challenge_id": str(world.challenge.id), "amount": "5",
                                                        "reason": reason},
                      page=f"/admin/users/{ada.id}/points").status_code == 303
    for page in (admin.client.get("/admin/adjustments"), signed_in(app, "ada@example.com").client.get("/play/points")):
        html = page.get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
