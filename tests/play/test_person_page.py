"""A person's page: badges earned in colour and locked ones with how to earn them, the levels reached, the points
with their reasons, and their reflections, private ones marked as a journal."""
from __future__ import annotations

from webapp.models import BadgeRule, Reflection, Visibility

from ..conftest import csrf_token


def test_person_page_shows_badges_levels_points_and_reflections(world, session, client):
    mission = world.mission(points=60)
    world.badge(BadgeRule.MISSIONS_COMPLETED, {"threshold": 1}, slug="first_step")
    world.badge(BadgeRule.MISSIONS_COMPLETED, {"threshold": 10}, slug="ten_missions")
    ada = world.player("ada@example.com")
    session.commit()
    client.post("/login", data={"email": "ada@example.com", "password": "correct horse battery",
                                "csrf_token": csrf_token(client, "/login")})
    response = client.post(f"/play/missions/{mission.id}/complete", data={
        "evidence_text": "Read the postmortem", "idempotency_key": "k1", "csrf_token": csrf_token(client, "/dashboard")})
    assert response.status_code == 303
    session.add(Reflection(user_id=ada.id, challenge_id=world.challenge.id, team_id=world.team("red").id,
                           body="Only for me.", visibility=Visibility.PRIVATE))
    session.add(Reflection(user_id=ada.id, challenge_id=world.challenge.id, team_id=world.team("red").id,
                           body="For the team.", visibility=Visibility.TEAM))
    session.commit()

    page = client.get("/play/points").get_data(as_text=True)
    earned, locked = page.split('<li class="earned">')[1], page.split('<li class="locked">')[1]
    assert "First Step" in earned.split("</li>")[0] and "Earned" in earned.split("</li>")[0]
    assert "Ten Missions" in locked and "how to earn it: 10 missions completed" in locked.split("</li>")[0]
    assert 'class="medallion tier-gold locked"' in page  # ten missions: gold, greyed while locked
    assert "Level 2 · Explorer" in page  # 60 points crossed 50
    assert "+60" in page  # the points history, with what earned them
    journal = page.split("Only for me.")[0].rsplit("<article", 1)[1]
    shared = page.split("For the team.")[0].rsplit("<article", 1)[1]
    assert "Journal" in journal and "Journal" not in shared and "Shared with your team" in shared
