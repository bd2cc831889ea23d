"""Reflection jobs dispatched to RQ and run by real `rq worker` processes, talking to the fake OpenAI server."""

import pytest
from sqlmodel import select

from webapp.jobs import enqueue
from webapp.models import JobStatus, LessonSummary, OutboxJob, PromptStatus, ReflectionPrompt, SummaryStatus
from webapp.notifications import delivery as notifications
from webapp.summaries import requests as summary_requests
from workers import dispatch

from ..support import run_rq_worker_burst

pytestmark = pytest.mark.redis


@pytest.fixture
def settings_overrides(redis_url, queue_name):
    return {"redis_url": redis_url, "rq_queue": queue_name}


def burst(settings, queue_name, fake):
    run_rq_worker_burst(settings.database_url, settings.redis_url, queue_name, timeout=120, OPENAI_API_KEY="test-key",
                        OPENAI_BASE_URL=fake.base_url, LLM_TIMEOUT_SECONDS="2", LLM_MAX_RETRIES="0")


def test_prompts_and_a_summary_are_written_by_real_rq_workers(world, settings, queue_name, fake_openai):
    session = world.session
    completions = [world.complete(member) for member in world.members]
    for completion in completions:
        enqueue(session, "reflection.prompt_for_completion", f"reflection-prompt:completion:{completion.id}",
                completion_id=completion.id)
    world.reflect(world.members[0], "I learned that small pull requests get reviewed faster.")
    summary_requests.request_summary(session, team_id=world.team.id, challenge_id=world.challenge.id,
                                     trigger="on_demand", work_key="rq-test")
    session.commit()
    assert dispatch.dispatch_pending(session, settings, dispatch.job_queue(settings)) == 3
    burst(settings, queue_name, fake_openai)
    session.expire_all()
    jobs = session.exec(select(OutboxJob)).all()
    # The three jobs handed to RQ are done; what they asked for in turn (telling each person a prompt is waiting)
    # waits in the outbox for the next dispatch.
    assert {job.status for job in jobs if job.name != notifications.JOB} == {JobStatus.DONE}
    assert {job.name for job in jobs if job.status is not JobStatus.DONE} <= {notifications.JOB}
    prompts = session.exec(select(ReflectionPrompt).where(ReflectionPrompt.completion_id.in_([c.id for c in completions]))).all()
    assert [prompt.status for prompt in prompts] == [PromptStatus.READY] * 2
    assert session.exec(select(LessonSummary)).one().status == SummaryStatus.DRAFT
    assert len(fake_openai.requests) == 3
