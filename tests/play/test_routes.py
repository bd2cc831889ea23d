"""The playing pages: sign-in, membership checks, htmx swaps and the no-JavaScript path."""
from __future__ import annotations

import re

import pytest
from sqlmodel import func, select

from webapp.models import BadgeRule, ChallengeStatus, Completion, Enrolment


@pytest.fixture
def setup(world, session):
    mission = world.mission(points=10)
    badge = world.badge(BadgeRule.MISSIONS_COMPLETED, {"threshold": 1}, slug="first-step")
    return mission, badge


def form_key(page: str, mission_id: int) -> str:
    match = re.search(rf'id="mission-{mission_id}".*?name="idempotency_key" value="([^"]+)"', page, re.S)
    assert match, "no completion form"
    return match.group(1)


@pytest.mark.parametrize("path", ["/play/challenges/1", "/play/challenges/1/leaderboard", "/play/challenges/1/feed"])
def test_every_page_needs_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_join_then_complete_with_htmx_shows_points_badge_and_level(world, session, client, auth, setup):
    mission, _ = setup
    world.player("ada@example.com", enrol=False)
    auth.login("ada@example.com")
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "Join “Learn Week”" in dashboard
    response = auth.post(f"/play/challenges/{world.challenge.id}/join", {"team_id": world.team("red").id})
    assert response.status_code == 303
    page = client.get(f"/play/challenges/{world.challenge.id}").get_data(as_text=True)
    key = form_key(page, mission.id)
    response = auth.post(f"/play/missions/{mission.id}/complete", {"evidence_text": "Read it", "idempotency_key": key},
                         headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Mission completed: +10 points. Badge earned: First-Step!" in body
    assert 'id="my-progress"' in body and 'hx-swap-oob="true"' in body
    assert '<p class="big-figure" id="my-points">10</p>' in body
    assert "<html" not in body  # a fragment, not a page


def test_without_javascript_the_form_redirects_and_flashes(world, session, client, auth, setup):
    mission, _ = setup
    world.player("ada@example.com")
    auth.login("ada@example.com")
    key = form_key(client.get(f"/play/challenges/{world.challenge.id}").get_data(as_text=True), mission.id)
    response = auth.post(f"/play/missions/{mission.id}/complete", {"evidence_text": "Read it", "idempotency_key": key})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Mission completed: +10 points." in page


def test_refusal_is_422_with_the_reason_beside_the_field_and_input_kept(world, session, client, auth, setup):
    mission, _ = setup
    world.player("ada@example.com")
    auth.login("ada@example.com")
    response = auth.post(f"/play/missions/{mission.id}/complete",
                         {"evidence_text": "Read <b>it</b>", "evidence_url": "javascript:x", "idempotency_key": "k"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The link must start with http:// or https://." in body
    assert "Read &lt;b&gt;it&lt;/b&gt;" in body and 'value="javascript:x"' in body
    assert session.exec(select(func.count()).select_from(Completion)).one() == 0


def test_challenge_of_another_team_is_not_found(world, session, client, auth):
    other = world.make_challenge("green-only", teams=("green",))
    mission = world.mission(challenge=other)
    world.player("ada@example.com")
    auth.login("ada@example.com")
    assert client.get(f"/play/challenges/{other.id}").status_code == 404
    assert client.get(f"/play/challenges/{other.id}/leaderboard").status_code == 404
    assert auth.post(f"/play/challenges/{other.id}/join").status_code == 404
    assert auth.post(f"/play/missions/{mission.id}/complete",
                     {"evidence_text": "x", "idempotency_key": "k"}).status_code == 404


def test_cannot_enrol_into_another_team(world, session, client, auth):
    world.player("ada@example.com", enrol=False)
    auth.login("ada@example.com")
    response = auth.post(f"/play/challenges/{world.challenge.id}/join", {"team_id": world.team("blue").id})
    assert response.status_code == 403
    assert session.exec(select(func.count()).select_from(Enrolment)).one() == 0


def test_draft_challenges_are_invisible(world, session, client, auth):
    draft = world.make_challenge("draft", status=ChallengeStatus.DRAFT)
    world.player("ada@example.com")
    auth.login("ada@example.com")
    assert client.get(f"/play/challenges/{draft.id}").status_code == 404


def test_kudos_through_the_feed_page(world, session, client, auth, setup):
    from webapp.play.missions import complete_mission

    mission, _ = setup
    ada = world.player("ada@example.com", name="Ada")
    world.player("bo@example.com", name="Bo")
    done = complete_mission(session, ada, mission.id, "Read it", None, "k1").completion
    session.commit()
    auth.login("bo@example.com")
    feed = client.get(f"/play/challenges/{world.challenge.id}/feed").get_data(as_text=True)
    assert "Give kudos to Ada" in feed
    response = auth.post(f"/play/feed/completion/{done.id}/kudos", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "1 kudos" in response.get_data(as_text=True)
    empty = auth.post(f"/play/feed/completion/{done.id}/feedback", {"body": " "})
    assert empty.status_code == 422 and "Write your feedback" in empty.get_data(as_text=True)
    assert auth.post(f"/play/feed/nonsense/{done.id}/kudos").status_code == 404
