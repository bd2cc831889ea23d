"""The points rules hold when one person sends many requests at once, on SQLite as on PostgreSQL.

Each test serves the app on a real threaded server and releases 20 POSTs together."""
from __future__ import annotations

import pytest
from sqlmodel import Session, func, select

from webapp.db import get_engine
from webapp.models import (
    Completion,
    Feedback,
    LessonSummary,
    PointEvent,
    PromptStatus,
    Reflection,
    ReflectionPrompt,
    Role,
    SummaryStatus,
)
from webapp.play.missions import complete_mission
from webapp.play.policy import REFLECTION_POINTS

from ..parallel import post_at_once, signed_in
from ..support import served

PARALLEL = 20


@pytest.fixture
def live(settings):
    with served(settings) as (url, _app):
        yield url


def _complete_at_once(live, mission_id: int) -> list[int]:
    browser, token = signed_in(live, "ada@example.com")
    forms = [{"idempotency_key": f"form-{index}", "evidence_text": "done"} for index in range(PARALLEL)]
    answers = post_at_once(live, browser, token, f"/play/missions/{mission_id}/complete", forms,
                           headers={"HX-Request": "true"})
    return sorted(answer.status_code for answer in answers)


def _completions(database_url: str, mission_id: int) -> tuple[int, int]:
    with Session(get_engine(database_url)) as fresh:
        done = fresh.exec(select(func.count()).select_from(Completion).where(Completion.mission_id == mission_id)).one()
        points = fresh.exec(select(func.coalesce(func.sum(PointEvent.amount), 0))).one()
    return done, points


@pytest.mark.parametrize("rule, mission_fields, expected_completions", [
    ("daily cap of 60", dict(points=20, max_completions=None), 3),
    ("max_completions=1", dict(points=10, max_completions=1), 1),
    ("24-hour cooldown", dict(points=10, max_completions=None, cooldown_hours=24), 1),
])
def test_twenty_parallel_completions_keep_the_rule(world, session, live, database_url, rule, mission_fields,
                                                   expected_completions):
    world.challenge.daily_point_cap = 60
    session.add(world.challenge)
    session.commit()
    mission = world.mission(**mission_fields)
    world.player("ada@example.com")
    codes = _complete_at_once(live, mission.id)
    done, points = _completions(database_url, mission.id)
    assert done == expected_completions, rule
    assert points == expected_completions * mission_fields["points"] <= 60
    assert codes == [200] * expected_completions + [422] * (PARALLEL - expected_completions)


def test_twenty_parallel_copies_of_one_feedback_form_store_one(world, session, live, database_url):
    mission = world.mission(max_completions=None)
    ada, _bo = world.player("ada@example.com"), world.player("bo@example.com")
    done = complete_mission(session, ada, mission.id, "Read the postmortem", None, "ada-1").completion
    session.commit()
    browser, token = signed_in(live, "bo@example.com")
    form = {"idempotency_key": "one-feedback-form", "body": "Add the rollback step."}
    answers = post_at_once(live, browser, token, f"/play/feed/completion/{done.id}/feedback", [form] * PARALLEL,
                           headers={"HX-Request": "true"})
    assert sorted(answer.status_code for answer in answers) == [200] * PARALLEL
    with Session(get_engine(database_url)) as fresh:
        assert fresh.exec(select(func.count()).select_from(Feedback)).one() == 1


def test_twenty_parallel_summarise_now_requests_start_one_summary(world, session, live, database_url):
    world.player("lead@example.com", role=Role.LEAD, lead=True)
    red = world.team("red").id
    browser, token = signed_in(live, "lead@example.com")
    forms = [{"request_key": f"summarise-{index:02d}"} for index in range(PARALLEL)]
    answers = post_at_once(live, browser, token, f"/reflection/team/{red}/challenges/{world.challenge.id}/summarise",
                           forms)
    assert all(answer.status_code == 303 for answer in answers)
    with Session(get_engine(database_url)) as fresh:
        summaries = fresh.exec(select(LessonSummary).where(LessonSummary.team_id == red)).all()
    assert [summary.status for summary in summaries] == [SummaryStatus.GENERATING]


def test_twenty_parallel_answers_to_one_prompt_store_one_reflection(world, session, live, database_url):
    ada = world.player("ada@example.com")
    prompt = ReflectionPrompt(work_key="parallel", user_id=ada.id, challenge_id=world.challenge.id,
                              status=PromptStatus.READY, text="What happened?")
    session.add(prompt)
    session.commit()
    browser, token = signed_in(live, "ada@example.com")
    form = {"body": "We found the slow query by reading the plan together.", "visibility": "team"}
    post_at_once(live, browser, token, f"/reflection/prompts/{prompt.id}/answer", [form] * PARALLEL)
    with Session(get_engine(database_url)) as fresh:
        assert fresh.exec(select(func.count()).select_from(Reflection)).one() == 1
        assert fresh.exec(select(func.coalesce(func.sum(PointEvent.amount), 0))).one() == REFLECTION_POINTS


def test_twenty_parallel_deductions_never_take_a_person_below_zero(world, session, live, database_url):
    mission = world.mission(points=50)
    ada = world.player("ada@example.com")
    world.make_user("admin@example.com", role=Role.ADMIN)
    complete_mission(session, ada, mission.id, "done", None, "ada-1")
    session.commit()
    browser, token = signed_in(live, "admin@example.com")
    form = {"challenge_id": str(world.challenge.id), "amount": "-10", "reason": "Counted twice"}
    answers = post_at_once(live, browser, token, f"/admin/users/{ada.id}/points", [form] * PARALLEL)
    assert sorted(answer.status_code for answer in answers) == [303] * 5 + [422] * (PARALLEL - 5)
    with Session(get_engine(database_url)) as fresh:
        assert fresh.exec(select(func.sum(PointEvent.amount)).where(PointEvent.user_id == ada.id)).one() == 0
