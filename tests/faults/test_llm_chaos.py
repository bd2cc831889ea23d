"""The model misbehaves in every way at once while real workers run prompt and summary jobs:
every job ends in a state a person can see (ready, or failed with a retry), every call is logged,
and nothing but the text the jobs write changes."""
import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from webapp.db import get_engine
from webapp.jobs import enqueue
from webapp.models import (
    JobStatus, LessonSummary, LlmCall, OutboxJob, PointEvent, PromptStatus, ReflectionPrompt, Role, SummaryStatus,
    Team, User,
)
from webapp.play.missions import complete_mission
from webapp.settings import load_settings
from workers import dispatch
from webapp.summaries.requests import request_summary

from ..llm.fake_openai import FakeOpenAI
from ..support import run_rq_worker_burst
from .conftest import open_mission

MODES = ["rate_limited", "error", "malformed", "schema_break", "bad_citations", "slow", "good"]


@pytest.mark.redis
def test_every_failure_mode_at_once(demo_database, redis_url):
    fake = FakeOpenAI(mode="good", slow_seconds=4, retry_after="1").start()
    fake.script.extend(MODES * 4)  # each failure, over and over, then good answers
    settings = load_settings(database_url=demo_database, redis_url=redis_url, rq_queue="chaos", outbox_pump=False,
                             job_max_attempts=3)
    llm = {"OPENAI_API_KEY": "chaos", "OPENAI_BASE_URL": fake.base_url, "LLM_TIMEOUT_SECONDS": "2",
           "LLM_MAX_RETRIES": "0", "JOB_MAX_ATTEMPTS": "3"}
    try:
        with Session(get_engine(demo_database), expire_on_commit=False) as session:
            people = session.exec(select(User).where(User.role == Role.EMPLOYEE).order_by(User.id).limit(8)).all()
            mission = open_mission(session)
            completion_ids = []
            for index, person in enumerate(people):
                result = complete_mission(session, person, mission.id, f"Tried the new profiler, attempt {index}.",
                                          "", f"chaos-{index}")
                session.commit()
                completion_ids.append(result.completion.id)
            platform = session.exec(select(Team).where(Team.slug == "platform")).one()
            request_summary(session, team_id=platform.id, challenge_id=mission.challenge_id, trigger="on_demand",
                            work_key="chaos-summary")
            session.commit()
            points_before = session.exec(select(func.sum(PointEvent.amount))).one()
            roles_before = session.exec(select(User.id, User.role).order_by(User.id)).all()

            # Each round hands over what is waiting and drains it. Failures use up attempts; a 429 puts the
            # job back without using one; the script of failures runs out, so the rounds are bounded.
            for _ in range(12):
                waiting = session.exec(select(OutboxJob).where(OutboxJob.status == JobStatus.PENDING)).all()
                if not waiting:
                    break
                for job in waiting:
                    job.available_at = job.created_at  # skip the backoff wait, keep everything else real
                    session.add(job)
                session.commit()
                dispatch.dispatch_pending(session, settings, dispatch.job_queue(settings))
                run_rq_worker_burst(demo_database, redis_url, "chaos", timeout=120, **llm)
                session.expire_all()

            jobs = session.exec(select(OutboxJob).where(OutboxJob.name != "notifications.send")).all()
            assert {job.status for job in jobs} <= {JobStatus.DONE, JobStatus.FAILED}, "a job was left hanging"
            mine = session.exec(select(ReflectionPrompt).where(
                ReflectionPrompt.completion_id.in_(completion_ids))).all()
            assert len(mine) == len(completion_ids)
            assert all(p.status in (PromptStatus.READY, PromptStatus.FAILED) for p in mine)
            assert all(p.text for p in mine if p.status == PromptStatus.READY)
            assert all(p.error for p in mine if p.status == PromptStatus.FAILED)
            summary = session.exec(select(LessonSummary).where(LessonSummary.work_key == "chaos-summary")).one()
            assert summary.status in (SummaryStatus.DRAFT, SummaryStatus.FAILED)
            outcomes = set(session.exec(select(LlmCall.outcome).where(LlmCall.model != "offline")).all())
            assert "ok" in outcomes and outcomes - {"ok"}, "failures were not logged beside successes"
            assert session.exec(select(func.sum(PointEvent.amount))).one() == points_before
            assert session.exec(select(User.id, User.role).order_by(User.id)).all() == roles_before
    finally:
        fake.stop()
