"""Completing a mission through the API follows the page's rule exactly: limits, cooldowns, the daily cap,
evidence, lead approval and idempotency give the same outcome for a person using the page and one using a token."""
from __future__ import annotations

import uuid

import pytest
from sqlmodel import select

from webapp.models import Completion, CompletionStatus, MissionApproval, TokenScope
from webapp.play.ledger import user_points

from ..play.conftest import World
from .conftest import bearer, make_token


@pytest.fixture
def world(session, make_user) -> World:
    return World(session, make_user)


def _api_complete(client, token: str, mission_id: int, key: str | None = None, text="Read the incident review."):
    return client.post(f"/api/v1/missions/{mission_id}/completions", json={"evidence_text": text},
                       headers={**bearer(token), "Idempotency-Key": key or uuid.uuid4().hex})


def _page_complete(auth, mission_id: int, text="Read the incident review."):
    return auth.post(f"/play/missions/{mission_id}/complete",
                     data={"evidence_text": text, "evidence_url": "", "idempotency_key": uuid.uuid4().hex})


def _points_and_statuses(session, user):
    session.expire_all()
    statuses = [row.status for row in session.exec(select(Completion).where(Completion.user_id == user.id)
                                                   .order_by(Completion.id))]
    return user_points(session, user.id), statuses


SCENARIOS = {
    "limit of one": (dict(max_completions=1), dict(), ["Read the incident review."] * 2),
    "cooldown": (dict(max_completions=None, cooldown_hours=24), dict(), ["Read the incident review."] * 2),
    "daily cap": (dict(max_completions=None, points=10), dict(daily_point_cap=15), ["Read the incident review."] * 2),
    "evidence required": (dict(), dict(), ["   "]),
    "lead approval": (dict(approval=MissionApproval.LEAD), dict(), ["Paired on the flaky test."]),
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_the_api_and_the_page_give_the_same_outcome(app, session, world, auth, scenario):
    mission_fields, challenge_fields, evidence = SCENARIOS[scenario]
    for name, value in challenge_fields.items():
        setattr(world.challenge, name, value)
    session.add(world.challenge)
    session.commit()
    mission = world.mission(**mission_fields)
    on_page, on_api = world.player("page@example.com"), world.player("api@example.com")
    assert auth.login("page@example.com").status_code == 303
    token = make_token(session, on_api, TokenScope.WRITE)
    client = app.test_client()
    page_answers = [_page_complete(auth, mission.id, text).status_code for text in evidence]
    api_answers = [_api_complete(client, token, mission.id, text=text) for text in evidence]
    assert [{303: "counted", 422: "refused"}[code] for code in page_answers] == \
        [{201: "counted", 409: "refused"}[answer.status_code] for answer in api_answers]
    assert _points_and_statuses(session, on_page) == _points_and_statuses(session, on_api)
    for answer in api_answers:
        if answer.status_code == 409:
            assert answer.headers["Content-Type"] == "application/problem+json"
            assert answer.json["status"] == 409 and answer.json["detail"]


def test_a_refusal_says_why_in_the_pages_words(app, session, world):
    mission = world.mission(max_completions=1)
    player = world.player("api@example.com")
    token = make_token(session, player, TokenScope.WRITE)
    client = app.test_client()
    assert _api_complete(client, token, mission.id).status_code == 201
    refused = _api_complete(client, token, mission.id)
    assert refused.status_code == 409
    assert "already" in refused.json["detail"].lower() or "limit" in refused.json["detail"].lower()


def test_the_same_idempotency_key_counts_once(app, session, world):
    mission = world.mission(max_completions=None)
    player = world.player("api@example.com")
    token = make_token(session, player, TokenScope.WRITE)
    client = app.test_client()
    first = _api_complete(client, token, mission.id, key="retry-me")
    again = _api_complete(client, token, mission.id, key="retry-me")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json["id"] == first.json["id"] and again.json["repeated"] is True
    assert first.json["points"] == 10 and user_points(session, player.id) == 10


def test_two_people_may_use_the_same_key(app, session, world):
    mission = world.mission(max_completions=None)
    ada, bo = world.player("ada@example.com"), world.player("bo@example.com", team="blue")
    client = app.test_client()
    for person in (ada, bo):
        answer = _api_complete(client, make_token(session, person, TokenScope.WRITE), mission.id, key="same")
        assert answer.status_code == 201
    assert user_points(session, ada.id) == user_points(session, bo.id) == 10


def test_evidence_waiting_for_a_lead_earns_nothing_yet(app, session, world):
    mission = world.mission(approval=MissionApproval.LEAD, points=20)
    player = world.player("api@example.com")
    answer = _api_complete(app.test_client(), make_token(session, player, TokenScope.WRITE), mission.id)
    assert answer.status_code == 201
    assert answer.json["status"] == CompletionStatus.PENDING.value and answer.json["points"] == 0
    assert user_points(session, player.id) == 0


def test_a_read_token_cannot_complete(app, session, world):
    mission = world.mission()
    player = world.player("api@example.com")
    answer = _api_complete(app.test_client(), make_token(session, player, TokenScope.READ), mission.id)
    assert answer.status_code == 403
    assert session.exec(select(Completion)).first() is None


@pytest.mark.parametrize("body", [None, "[]", '{"evidence_text": 5}', '{"surprise": "x"}',
                                  '{"evidence_text": "' + "x" * 5001 + '"}'])
def test_a_body_that_is_not_a_completion_is_a_422_problem(app, session, world, body):
    mission = world.mission()
    player = world.player("api@example.com")
    headers = {**bearer(make_token(session, player, TokenScope.WRITE)), "Idempotency-Key": "k",
               "Content-Type": "application/json"}
    answer = app.test_client().post(f"/api/v1/missions/{mission.id}/completions", data=body, headers=headers)
    assert answer.status_code == 422 and answer.headers["Content-Type"] == "application/problem+json"
    assert answer.json["invalid-params"]
    assert session.exec(select(Completion)).first() is None


def test_a_completion_without_an_idempotency_key_is_refused(app, session, world):
    mission = world.mission()
    player = world.player("api@example.com")
    answer = app.test_client().post(f"/api/v1/missions/{mission.id}/completions", json={"evidence_text": "x y z"},
                                    headers=bearer(make_token(session, player, TokenScope.WRITE)))
    assert answer.status_code == 422
    assert any("Idempotency-Key" in param["name"] for param in answer.json["invalid-params"])
