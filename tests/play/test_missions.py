"""Completing a mission: the rules that keep points fair, and counting a form once."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, func, select

from webapp.db import get_engine
from webapp.models import (
    Cadence,
    ChallengeStatus,
    Completion,
    OutboxJob,
    PointEvent,
    utcnow,
)
from webapp.problems import NotFound
from webapp.play.ledger import user_points
from webapp.play.missions import CompletionRefused, complete_mission

from ..conftest import csrf_token


def count(session, model, *where):
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def test_completion_records_points_in_the_ledger_and_asks_for_a_reflection(world, session):
    mission = world.mission(points=15)
    ada = world.player("ada@example.com")
    result = complete_mission(session, ada, mission.id, "Read the postmortem", "https://wiki.example/pm", "key-1")
    session.commit()
    assert result.points == 15 and result.total_points == 15 and not result.repeated
    assert user_points(session, ada.id, world.challenge.id) == 15
    event = session.exec(select(PointEvent)).one()
    assert (event.source_type, event.source_id, event.team_id) == ("completion", result.completion.id, world.team("red").id)
    job = session.exec(select(OutboxJob)).one()
    assert job.name == "reflection.prompt_for_completion"
    assert job.key == f"reflection-prompt:completion:{result.completion.id}"
    assert job.payload == {"completion_id": result.completion.id}


def test_no_reflection_job_unless_cadence_is_after_each(world, session):
    challenge = world.make_challenge("weekly", reflection_cadence=Cadence.WEEKLY)
    mission = world.mission(challenge=challenge)
    ada = world.player("ada@example.com", challenge=challenge)
    complete_mission(session, ada, mission.id, "done", None, "key-1")
    session.commit()
    assert count(session, OutboxJob) == 0


def test_double_submit_counts_once_and_returns_the_original(world, session):
    mission = world.mission(points=10, max_completions=None)
    ada = world.player("ada@example.com")
    first = complete_mission(session, ada, mission.id, "done", None, "same-key")
    session.commit()
    again = complete_mission(session, ada, mission.id, "done", None, "same-key")
    session.commit()
    assert again.repeated and again.completion.id == first.completion.id and again.points == 10
    assert count(session, Completion) == 1
    assert user_points(session, ada.id) == 10


def test_someone_elses_form_key_is_refused(world, session):
    mission = world.mission(max_completions=None)
    ada, bo = world.player("ada@example.com"), world.player("bo@example.com")
    complete_mission(session, ada, mission.id, "done", None, "ada-key")
    session.commit()
    with pytest.raises(CompletionRefused, match="already been used"):
        complete_mission(session, bo, mission.id, "done", None, "ada-key")


@pytest.mark.parametrize("text, url, field, message", [
    ("", None, "evidence_text", "needs evidence"),
    ("   ", None, "evidence_text", "needs evidence"),
    ("done", "javascript:alert(1)", "evidence_url", "http"),
    ("done", "ftp://files.example/x", "evidence_url", "http"),
    ("done", "https://", "evidence_url", "http"),
    ("x" * 5001, None, "evidence_text", "5000"),
])
def test_bad_evidence_is_refused_beside_its_field(world, session, text, url, field, message):
    mission = world.mission(evidence_required=True)
    ada = world.player("ada@example.com")
    with pytest.raises(CompletionRefused, match=message) as refusal:
        complete_mission(session, ada, mission.id, text, url, "key-1")
    assert refusal.value.field == field
    session.rollback()
    assert count(session, Completion) == 0 and count(session, PointEvent) == 0


def test_evidence_is_optional_when_the_mission_says_so(world, session):
    mission = world.mission(evidence_required=False)
    ada = world.player("ada@example.com")
    assert complete_mission(session, ada, mission.id, "", None, "key-1").points == 10


def test_completion_limit_holds(world, session):
    mission = world.mission(max_completions=2)
    ada = world.player("ada@example.com")
    complete_mission(session, ada, mission.id, "one", None, "k1")
    complete_mission(session, ada, mission.id, "two", None, "k2")
    session.commit()
    with pytest.raises(CompletionRefused, match="2 times, its limit"):
        complete_mission(session, ada, mission.id, "three", None, "k3")
    session.rollback()
    assert user_points(session, ada.id) == 20


def test_cooldown_holds_until_it_is_over(world, session):
    mission = world.mission(max_completions=None, cooldown_hours=12)
    ada = world.player("ada@example.com")
    start = utcnow()
    complete_mission(session, ada, mission.id, "one", None, "k1", now=start)
    session.commit()
    with pytest.raises(CompletionRefused, match="12-hour cooldown; try again in 1 h"):
        complete_mission(session, ada, mission.id, "two", None, "k2", now=start + timedelta(hours=10, minutes=30))
    session.rollback()
    assert complete_mission(session, ada, mission.id, "two", None, "k3", now=start + timedelta(hours=12)).points == 10


def test_daily_cap_refuses_what_would_exceed_it_counted_in_the_users_own_day(world, session):
    challenge = world.make_challenge("capped", daily_point_cap=25)
    mission = world.mission(points=10, max_completions=None, challenge=challenge)
    # 22:00 in New York is 02:00 UTC the next day; the local day started at 04:00 UTC the day before.
    ada = world.player("ada@example.com", challenge=challenge)
    ada.timezone = "America/New_York"
    session.add(ada)
    session.commit()
    morning = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)  # 09:00 local
    night = datetime(2026, 3, 11, 2, 0, tzinfo=UTC)  # 22:00 local, the same local day
    complete_mission(session, ada, mission.id, "one", None, "k1", now=morning)
    complete_mission(session, ada, mission.id, "two", None, "k2", now=morning + timedelta(hours=1))
    session.commit()
    with pytest.raises(CompletionRefused, match="Daily cap reached: you earned 20 of 25"):
        complete_mission(session, ada, mission.id, "three", None, "k3", now=night)
    session.rollback()
    next_local_day = datetime(2026, 3, 11, 4, 30, tzinfo=UTC)  # 00:30 local on the 11th
    assert complete_mission(session, ada, mission.id, "three", None, "k4", now=next_local_day).points == 10


def test_retired_mission_is_refused(world, session):
    mission = world.mission(retired_at=utcnow())
    ada = world.player("ada@example.com")
    with pytest.raises(CompletionRefused, match="retired"):
        complete_mission(session, ada, mission.id, "done", None, "k1")


def test_must_join_before_completing(world, session):
    mission = world.mission()
    ada = world.player("ada@example.com", enrol=False)
    with pytest.raises(CompletionRefused, match="Join this challenge"):
        complete_mission(session, ada, mission.id, "done", None, "k1")


@pytest.mark.parametrize("status, message", [(ChallengeStatus.PUBLISHED, "not started"),
                                             (ChallengeStatus.CLOSED, "has ended")])
def test_only_running_challenges_count(world, session, status, message):
    mission = world.mission()
    ada = world.player("ada@example.com")
    world.challenge.status = status
    session.add(world.challenge)
    session.commit()
    with pytest.raises(CompletionRefused, match=message):
        complete_mission(session, ada, mission.id, "done", None, "k1")


def test_cannot_complete_a_mission_of_a_challenge_my_team_is_not_in(world, session):
    other = world.make_challenge("green-only", teams=("green",))
    mission = world.mission(challenge=other)
    ada = world.player("ada@example.com")  # red team
    with pytest.raises(NotFound):
        complete_mission(session, ada, mission.id, "done", None, "k1")


def test_twenty_parallel_identical_submissions_count_once(world, session, app, make_user, database_url):
    mission = world.mission(points=10, max_completions=None)
    world.player("ada@example.com")
    clients = []
    for _ in range(20):
        client = app.test_client()
        token = csrf_token(client)
        client.post("/login", data={"email": "ada@example.com", "password": "correct horse battery", "csrf_token": token})
        clients.append((client, csrf_token(client, "/dashboard")))
    barrier = threading.Barrier(20)
    statuses = []

    def submit(client, token):
        barrier.wait()
        response = client.post(f"/play/missions/{mission.id}/complete", headers={"HX-Request": "true"},
                               data={"csrf_token": token, "idempotency_key": "one-form", "evidence_text": "done"})
        statuses.append((response.status_code, response.get_data(as_text=True)))

    threads = [threading.Thread(target=submit, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [code for code, _ in statuses] == [200] * 20
    with Session(get_engine(database_url)) as fresh:
        assert count(fresh, Completion) == 1
        assert count(fresh, PointEvent) == 1
        assert fresh.exec(select(func.sum(PointEvent.amount))).one() == 10
    assert sum("Mission completed: +10 points" in body for _, body in statuses) == 1
    assert sum("Already counted" in body for _, body in statuses) == 19


def test_parallel_different_forms_respect_the_limit(world, session, app, database_url):
    mission = world.mission(points=10, max_completions=1)
    world.player("ada@example.com")
    clients = []
    for _ in range(8):
        client = app.test_client()
        client.post("/login", data={"email": "ada@example.com", "password": "correct horse battery",
                                    "csrf_token": csrf_token(client)})
        clients.append((client, csrf_token(client, "/dashboard")))
    barrier = threading.Barrier(8)
    codes = []

    def submit(index, client, token):
        barrier.wait()
        codes.append(client.post(f"/play/missions/{mission.id}/complete", headers={"HX-Request": "true"},
                                 data={"csrf_token": token, "idempotency_key": f"form-{index}",
                                       "evidence_text": "done"}).status_code)

    threads = [threading.Thread(target=submit, args=(i, *pair)) for i, pair in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [200] + [422] * 7
    with Session(get_engine(database_url)) as fresh:
        assert count(fresh, Completion) == 1
