"""End to end: a person completes a mission (on the page, or through the API with a token); the admin's webhook
receiver gets the signed event and the learning record store holds the statement, both through the outbox."""
from __future__ import annotations

import hashlib
import hmac
import re

import pytest

from webapp.models import Role

from ..api.conftest import bearer, make_token
from ..play.test_routes import form_key


@pytest.fixture
def settings_overrides(xapi_settings) -> dict:
    return xapi_settings


def _register_webhook(make_user, auth, recorder) -> str:
    """An admin registers the recording server for completions; returns the secret the page shows once."""
    make_user("admin@corp.example", role=Role.ADMIN)
    auth.login("admin@corp.example")
    created = auth.post("/admin/webhooks", {"url": recorder.url(), "events": ["completion.recorded"]},
                        page="/admin/webhooks")
    auth.logout()
    return re.search(r'id="webhook-secret">([^<]+)<', created.get_data(as_text=True)).group(1)


def _assert_delivered_once(recorder, lrs, public_url, secret, mission) -> None:
    [received] = recorder.received
    timestamp = received.headers["Learnloop-Timestamp"]
    expected = "v1=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + received.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, received.headers["Learnloop-Signature"])
    event = received.json()
    assert event["type"] == "completion.recorded" and event["data"]["mission"]["id"] == mission.id

    [statement] = lrs.statements(public_url)
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert statement["object"]["id"] == f"{public_url}/xapi/activities/mission/{mission.id}"
    assert statement["timestamp"].startswith(event["data"]["recorded_at"][:19])


@pytest.mark.slow
def test_completion_through_the_api_reaches_the_webhook_and_the_lrs(world, session, make_user, client, auth,
                                                                   recorder, lrs, public_url, run_jobs):
    secret = _register_webhook(make_user, auth, recorder)
    mission = world.mission(points=10)
    ada = world.player("ada@corp.example")
    headers = {**bearer(make_token(session, ada, "write")), "Idempotency-Key": "e2e-1"}
    first = client.post(f"/api/v1/missions/{mission.id}/completions", json={"evidence_text": "Read it"},
                        headers=headers)
    assert first.status_code == 201, first.get_data(as_text=True)
    again = client.post(f"/api/v1/missions/{mission.id}/completions", json={"evidence_text": "Read it"},
                        headers=headers)
    assert again.status_code == 200
    assert "failed" not in run_jobs()
    _assert_delivered_once(recorder, lrs, public_url, secret, mission)


@pytest.mark.slow
def test_completion_on_the_page_reaches_the_webhook_and_the_lrs(world, session, make_user, client, auth, recorder,
                                                                lrs, public_url, run_jobs):
    secret = _register_webhook(make_user, auth, recorder)
    mission = world.mission(points=10)
    world.player("ada@corp.example")
    auth.login("ada@corp.example")
    key = form_key(client.get(f"/play/challenges/{world.challenge.id}").get_data(as_text=True), mission.id)
    answer = auth.post(f"/play/missions/{mission.id}/complete", {"evidence_text": "Read it", "idempotency_key": key})
    assert answer.status_code == 303
    auth.post(f"/play/missions/{mission.id}/complete", {"evidence_text": "Read it", "idempotency_key": key})  # again
    assert "failed" not in run_jobs()
    _assert_delivered_once(recorder, lrs, public_url, secret, mission)
