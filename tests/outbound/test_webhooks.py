"""Outgoing webhooks: admins register endpoints; events arrive signed at a real local server, with retries,
a delivery log, redelivery and switch-off after repeated failures."""
from __future__ import annotations

import hashlib
import hmac
import re
import time

from sqlmodel import select

from webapp.challenges import lifecycle
from webapp.models import (
    BadgeRule, ChallengeStatus, DeliveryAttempt, DeliveryStatus, OutboundDelivery, Role, WebhookEndpoint,
)
from webapp.play.missions import complete_mission

from .conftest import due_job_ids, outbound_jobs, run_job_now

ALL_EVENTS = ["completion.recorded", "badge.awarded", "lesson.published", "challenge.state_changed"]


def _register(auth, url: str, events=ALL_EVENTS) -> str:
    """Register an endpoint through the admin page; returns the secret shown once."""
    response = auth.post("/admin/webhooks", {"url": url, "events": events, "description": "Our LMS"},
                         page="/admin/webhooks")
    assert response.status_code == 201
    return re.search(r'id="webhook-secret">([^<]+)<', response.get_data(as_text=True)).group(1)


def _admin(make_user, auth):
    make_user("admin@corp.example", role=Role.ADMIN)
    auth.login("admin@corp.example")


def _signature_is_valid(secret: str, received) -> bool:
    """The receiver's check, as the README shows it: HMAC-SHA256 of "timestamp.body", compared in constant time."""
    timestamp = received.headers["Learnloop-Timestamp"]
    expected = "v1=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + received.body, hashlib.sha256).hexdigest()
    fresh = abs(time.time() - int(timestamp)) < 300
    return fresh and hmac.compare_digest(expected, received.headers["Learnloop-Signature"])


def test_secret_is_shown_once_and_completion_arrives_signed(world, session, make_user, auth, client, recorder,
                                                             run_jobs):
    _admin(make_user, auth)
    secret = _register(auth, recorder.url())
    assert secret.startswith("whsec_")
    for page in ("/admin/webhooks", f"/admin/webhooks/{session.exec(select(WebhookEndpoint)).one().id}"):
        assert secret not in client.get(page).get_data(as_text=True)
    player = world.player("ada@corp.example")
    mission = world.mission(points=15)
    complete_mission(session, player, mission.id, "Read the guide", None, "key-1")
    session.commit()
    assert set(run_jobs()) == {"done"}
    [received] = recorder.received
    assert _signature_is_valid(secret, received)
    assert not _signature_is_valid("whsec_someone-else", received)
    body = received.json()
    assert body["type"] == "completion.recorded" and received.headers["Learnloop-Event"] == "completion.recorded"
    assert body["data"]["mission"] == {"id": mission.id, "title": mission.title, "kind": "learn", "points": 15}
    assert body["data"]["user_id"] == player.id and body["data"]["challenge"]["id"] == world.challenge.id
    assert "ada@corp.example" not in received.body.decode()


def test_tampered_body_fails_the_check(world, session, make_user, auth, recorder, run_jobs):
    _admin(make_user, auth)
    secret = _register(auth, recorder.url(), ["completion.recorded"])
    complete_mission(session, world.player("ada@corp.example"), world.mission().id, "Read", None, "key-1")
    session.commit()
    run_jobs()
    [received] = recorder.received
    received.body = received.body.replace(b'"points":10', b'"points":1000')
    assert not _signature_is_valid(secret, received)


def test_only_chosen_events_are_sent(world, session, make_user, auth, recorder, run_jobs):
    _admin(make_user, auth)
    _register(auth, recorder.url(), ["badge.awarded"])
    world.badge(BadgeRule.MISSIONS_COMPLETED, {"threshold": 1}, slug="first-step")
    complete_mission(session, world.player("ada@corp.example"), world.mission().id, "Read", None, "key-1")
    session.commit()
    run_jobs()
    assert [r.json()["type"] for r in recorder.received] == ["badge.awarded"]
    assert recorder.received[0].json()["data"]["badge"]["name"] == "First-Step"


def test_challenge_state_change_is_sent(world, session, make_user, auth, recorder, run_jobs):
    _admin(make_user, auth)
    _register(auth, recorder.url(), ["challenge.state_changed"])
    lifecycle.move(session, world.challenge, ChallengeStatus.CLOSED)
    session.commit()
    run_jobs()
    [received] = recorder.received
    assert received.json()["data"]["from"] == "running" and received.json()["data"]["to"] == "closed"


def test_failure_is_retried_after_backoff_and_logged(world, session, database_url, make_user, auth, client,
                                                     recorder):
    _admin(make_user, auth)
    _register(auth, recorder.url(), ["completion.recorded"])
    recorder.answers = [500]
    complete_mission(session, world.player("ada@corp.example"), world.mission().id, "Read", None, "key-1")
    session.commit()
    [job] = outbound_jobs(database_url)
    assert run_job_now(database_url, job.id) == "pending"
    [job] = outbound_jobs(database_url)
    assert job.available_at > job.created_at  # waits out its backoff
    assert job.status == "pending" and job.id not in due_job_ids(database_url)
    assert run_job_now(database_url, job.id) == "done"
    assert [r.headers["Learnloop-Delivery"] for r in recorder.received] == [recorder.received[0].headers[
        "Learnloop-Delivery"]] * 2  # the same delivery id, so the receiver can tell a retry
    session.expire_all()
    delivery = session.exec(select(OutboundDelivery)).one()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert [a.status_code for a in session.exec(select(DeliveryAttempt).order_by(DeliveryAttempt.id))] == [500, 200]
    page = client.get(f"/admin/webhooks/{delivery.endpoint_id}").get_data(as_text=True)
    assert "completion.recorded" in page and "500" in page and "200" in page and "delivered" in page


def test_endpoint_is_switched_off_after_repeated_failures(world, session, database_url, make_user, auth, client,
                                                          recorder):
    _admin(make_user, auth)
    _register(auth, recorder.url(), ["completion.recorded"])
    recorder.default = 503
    player, mission = world.player("ada@corp.example"), world.mission(max_completions=None)
    for number in range(2):
        complete_mission(session, player, mission.id, "Read", None, f"key-{number}")
        session.commit()
    first, second = outbound_jobs(database_url)
    run_job_now(database_url, first.id)
    run_job_now(database_url, second.id)
    run_job_now(database_url, first.id)  # third failure in a row (OUTBOUND_DISABLE_AFTER=3)
    session.expire_all()
    endpoint = session.exec(select(WebhookEndpoint)).one()
    assert not endpoint.active and "3 failed attempts in a row" in endpoint.disabled_reason
    assert run_job_now(database_url, second.id) == "done"  # skipped: nothing more goes to a switched-off endpoint
    assert len(recorder.received) == 3
    session.expire_all()
    assert {d.status for d in session.exec(select(OutboundDelivery))} == {DeliveryStatus.FAILED, DeliveryStatus.SKIPPED}
    complete_mission(session, player, mission.id, "Read", None, "key-later")
    session.commit()
    assert session.exec(select(OutboundDelivery)).all().__len__() == 2  # no new delivery while it is off
    assert "Switched off" in client.get(f"/admin/webhooks/{endpoint.id}").get_data(as_text=True)
    response = auth.post(f"/admin/webhooks/{endpoint.id}/active", {"active": "on"}, page="/admin/webhooks")
    assert response.status_code == 303
    session.expire_all()
    endpoint = session.get(WebhookEndpoint, endpoint.id)
    assert endpoint.active and endpoint.consecutive_failures == 0


def test_redelivery_sends_the_same_event_again_signed_anew(world, session, database_url, make_user, auth,
                                                           recorder, run_jobs):
    _admin(make_user, auth)
    secret = _register(auth, recorder.url(), ["completion.recorded"])
    complete_mission(session, world.player("ada@corp.example"), world.mission().id, "Read", None, "key-1")
    session.commit()
    run_jobs()
    delivery = session.exec(select(OutboundDelivery)).one()
    response = auth.post(f"/admin/webhooks/{delivery.endpoint_id}/deliveries/{delivery.id}/redeliver",
                         page="/admin/webhooks")
    assert response.status_code == 303
    assert run_jobs() == ["done"]
    first, again = recorder.received
    assert first.body == again.body and _signature_is_valid(secret, again)
    assert run_jobs() == []  # the first job run again sends nothing more


def test_bad_form_is_refused_with_reasons_and_stores_nothing(session, make_user, auth):
    _admin(make_user, auth)
    response = auth.post("/admin/webhooks", {"url": "ftp://files.example", "events": ["points.spent"]},
                         page="/admin/webhooks")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "must start with https://" in page and "Choose at least one of the events" in page
    assert 'value="ftp://files.example"' in page
    assert session.exec(select(WebhookEndpoint)).all() == []


def test_no_endpoint_writes_no_delivery(world, session):
    complete_mission(session, world.player("ada@corp.example"), world.mission().id, "Read", None, "key-1")
    session.commit()
    assert session.exec(select(OutboundDelivery)).all() == []
