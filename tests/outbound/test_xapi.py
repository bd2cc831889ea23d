"""xAPI statements to a real LRS (ralph, file-system backend, Basic auth): sent through the outbox, read back,
never duplicated by a retry or a backfill."""
from __future__ import annotations

import pytest
from sqlmodel import select

from webapp.models import (
    BadgeRule, DeliveryStatus, OutboundDelivery, PromptStatus, ReflectionPrompt, Visibility,
)
from webapp.outbound import xapi
from webapp.play.feed import give_feedback
from webapp.play.missions import complete_mission
from webapp.reflection.answers import answer_prompt

from .conftest import outbound_jobs, run_job_now

ADL = "http://adlnet.gov/expapi/verbs/"


@pytest.fixture
def settings_overrides(xapi_settings) -> dict:
    return xapi_settings


def _by_verb(statements: list[dict]) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for statement in statements:
        found.setdefault(statement["verb"]["id"], []).append(statement)
    return found


@pytest.mark.slow
def test_completion_reflection_feedback_and_badge_are_read_back_from_the_lrs(world, session, lrs, public_url,
                                                                             run_jobs):
    world.badge(BadgeRule.MISSIONS_COMPLETED, {"threshold": 1}, slug="first-step")
    ada, bo = world.player("ada@corp.example"), world.player("bo@corp.example")
    mission = world.mission(points=20)
    result = complete_mission(session, ada, mission.id, "Read the guide", None, "key-1")
    session.commit()
    prompt = ReflectionPrompt(work_key="test-prompt", user_id=ada.id, challenge_id=world.challenge.id,
                              completion_id=result.completion.id, status=PromptStatus.READY, text="What happened?")
    session.add(prompt)
    session.commit()
    reflection, _ = answer_prompt(session, ada, prompt.id, "I learned to read the guide first.", Visibility.TEAM)
    session.commit()
    give_feedback(session, bo, "reflection", reflection.id, "Try pairing next time.", "fb-1")
    session.commit()
    assert "failed" not in run_jobs()
    statements = _by_verb(lrs.statements(public_url))
    [completed] = statements[ADL + "completed"]
    assert completed["actor"]["account"]["homePage"] == public_url
    assert "ada" not in completed["actor"]["account"]["name"] and "mbox" not in completed["actor"]
    assert completed["object"]["id"] == f"{public_url}/xapi/activities/mission/{mission.id}"
    assert completed["object"]["definition"]["name"]["en"] == mission.title
    assert completed["context"]["contextActivities"]["parent"][0]["id"] == \
        f"{public_url}/xapi/activities/challenge/{world.challenge.id}"
    assert completed["result"]["completion"] is True
    [answered] = statements[ADL + "answered"]
    assert answered["actor"] == completed["actor"]  # the same person, the same pseudonym
    assert "guide" not in str(answered)  # the answer's text stays in Learnloop
    [commented] = statements[ADL + "commented"]
    assert commented["actor"]["account"]["name"] != completed["actor"]["account"]["name"]
    assert commented["object"]["id"] == f"{public_url}/xapi/activities/reflection/{reflection.id}"
    [earned] = statements["https://openbadgespec.org/xapi/verbs/earned"]
    assert earned["object"]["definition"]["name"]["en"] == "First-Step" and earned["actor"] == completed["actor"]


@pytest.mark.slow
def test_a_retry_and_a_redelivery_store_one_statement(world, session, database_url, lrs, public_url):
    ada = world.player("ada@corp.example")
    complete_mission(session, ada, world.mission().id, "Read", None, "key-1")
    session.commit()
    [job] = outbound_jobs(database_url)
    assert run_job_now(database_url, job.id) == "done"
    delivery = session.exec(select(OutboundDelivery)).one()
    from webapp.outbound.deliveries import redeliver

    redeliver(session, delivery)  # as if the answer had been lost and the statement sent again
    session.commit()
    [_, again] = outbound_jobs(database_url)
    assert run_job_now(database_url, again.id) == "done"
    statements = lrs.statements(public_url)
    assert len(statements) == 1 and statements[0]["id"] == delivery.payload["id"]


@pytest.mark.slow
@pytest.mark.parametrize("settings_overrides", [{}])
def test_backfill_sends_history_once_with_a_progress_bar(world, session, database_url, lrs, public_url, app,
                                                         monkeypatch, xapi_settings):
    """History written before xAPI was configured reaches the LRS through the command; a second run adds nothing."""
    ada = world.player("ada@corp.example")
    mission = world.mission(max_completions=None)
    for number in range(3):
        complete_mission(session, ada, mission.id, "Read", None, f"key-{number}")
        session.commit()
    assert session.exec(select(OutboundDelivery)).all() == []  # xAPI was off
    from webapp import create_app
    from webapp.settings import load_settings

    configured = create_app(load_settings(database_url=database_url, secret_key="test-secret", outbox_pump=False,
                                          **xapi_settings))
    runner = configured.test_cli_runner()
    first = runner.invoke(args=["xapi", "backfill"])
    assert first.exit_code == 0, first.output
    assert "Sending statements" in first.output and "3 sent, 0 already in the LRS" in first.output
    second = runner.invoke(args=["xapi", "backfill"])
    assert "0 sent, 3 already in the LRS" in second.output
    statements = lrs.statements(public_url)
    assert len(statements) == 3 and len({s["id"] for s in statements}) == 3
    assert {d.status for d in session.exec(select(OutboundDelivery))} == {DeliveryStatus.DELIVERED}


@pytest.mark.slow
def test_wrong_lrs_password_is_retried_not_lost(world, session, database_url, lrs, public_url, monkeypatch):
    from webapp.settings import get_settings

    monkeypatch.setenv("XAPI_PASSWORD", "wrong")
    get_settings.cache_clear()
    complete_mission(session, world.player("ada@corp.example"), world.mission().id, "Read", None, "key-1")
    session.commit()
    [job] = outbound_jobs(database_url)
    assert run_job_now(database_url, job.id) == "pending"
    session.expire_all()
    assert session.exec(select(OutboundDelivery)).one().last_status_code == 401
    monkeypatch.setenv("XAPI_PASSWORD", lrs_password())
    get_settings.cache_clear()
    assert run_job_now(database_url, job.id) == "done"
    assert len(lrs.statements(public_url)) == 1


def lrs_password() -> str:
    from .servers import LRS_PASSWORD

    return LRS_PASSWORD


def test_statement_ids_are_stable_and_bad_statements_are_refused():
    vocab = xapi.Vocabulary("https://learn.example.com", "key")
    assert vocab.statement_id("completion:1") == vocab.statement_id("completion:1")
    assert vocab.statement_id("completion:1") != vocab.statement_id("completion:2")
    assert vocab.actor(7) == xapi.Vocabulary("https://learn.example.com", "key").actor(7)
    assert vocab.actor(7) != xapi.Vocabulary("https://learn.example.com", "other").actor(7)
    good = {"id": vocab.statement_id("x"), "actor": vocab.actor(1),
            "verb": {"id": xapi.COMPLETED[0], "display": {"en": "completed"}},
            "object": vocab.activity("mission", 1, xapi.TYPE_MISSION, "Read"), "timestamp": "2026-12-03T04:00:00Z"}
    xapi.validate(good)
    for broken in ({**good, "verb": {"id": "completed"}}, {**good, "id": "not-a-uuid"},
                   {**good, "actor": {"mbox": "mailto:ada@corp.example", "account": vocab.actor(1)["account"]}},
                   {**good, "object": {"id": "mission-1"}}):
        with pytest.raises(xapi.InvalidStatement):
            xapi.validate(broken)


def test_xapi_needs_a_public_url():
    from webapp.settings import SettingsError, load_settings

    with pytest.raises(SettingsError, match="PUBLIC_URL"):
        load_settings(xapi_endpoint="https://lrs.example.com/xAPI/", xapi_username="u", xapi_password="p",
                      public_url=None)
