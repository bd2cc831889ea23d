"""A model that hangs: the prompt ends failed by its (shortened) deadline, while the clock's steps and other
people's prompts keep moving, on the embedded queue and on a real rq worker."""
from __future__ import annotations

import subprocess
import time
from datetime import timedelta, timezone

import pytest
from sqlmodel import select

from webapp.jobs import enqueue
from webapp.models import (
    Challenge, ChallengeStatus, JobStatus, LlmCall, OutboxJob, PromptStatus, ReflectionPrompt, utcnow,
)
from webapp.settings import get_settings, load_settings
from workers import dispatch
from workers.pump import OutboxPump

from ..support import ROOT, rq_command, worker_env

DEADLINE = 20  # seconds: the prompt deadline these tests run with (120 s by default)
# What the test allows beyond the deadline: the pump's or the worker's next look, and commits.
SLACK = 1.5


@pytest.fixture
def hanging_model(use_fake_openai, monkeypatch):
    """The first request hangs for a minute (beyond a 30 s timeout), every later one answers at once; a job may
    retry 3 times within 5 attempts: without a deadline, minutes before anyone sees a failure."""
    use_fake_openai.mode, use_fake_openai.slow_seconds = "good", 60
    use_fake_openai.script.append("slow")
    for name, value in {"LLM_TIMEOUT_SECONDS": "30", "LLM_MAX_RETRIES": "3", "JOB_MAX_ATTEMPTS": "5",
                        "JOB_DEADLINE_PROMPT_SECONDS": str(DEADLINE)}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield use_fake_openai
    get_settings.cache_clear()


def aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def until_deadline(asked_at: float) -> float:
    """What is left of the hanging call's deadline: other work must move before it ends, however busy the machine."""
    return max(DEADLINE - (time.monotonic() - asked_at), 0.1)


def wait_until(session, check, timeout: float, what: str):
    """Poll `check()` on fresh reads until it is true; fail naming `what` after `timeout` seconds."""
    end = time.monotonic() + timeout
    while True:
        session.rollback()  # a fresh snapshot each look
        session.expire_all()
        value = check()
        if value:
            return value
        if time.monotonic() > end:
            pytest.fail(f"not within {timeout} s: {what}")
        time.sleep(0.05)


def ask_prompt(world, user):
    completion = world.complete(user)
    job = enqueue(world.session, "reflection.prompt_for_completion", f"reflection-prompt:completion:{completion.id}",
                  completion_id=completion.id)
    world.session.commit()
    return completion, job


def prompt_of(session, completion):
    return session.exec(select(ReflectionPrompt).where(ReflectionPrompt.completion_id == completion.id)).first()


def published_challenge(session, starts_in: float) -> Challenge:
    now = utcnow()
    challenge = Challenge(slug="opens-on-time", title="Opens on time", starts_at=now + timedelta(seconds=starts_in),
                          ends_at=now + timedelta(days=7), status=ChallengeStatus.PUBLISHED)
    session.add(challenge)
    session.commit()
    return challenge


def check_the_hanging_prompt_failed_by_its_deadline(world, completion, job):
    session = world.session
    # Waiting generously is no leniency: how long it took is read from the job's own record below, not from
    # when this test, on a busy machine, happened to look.
    failed = wait_until(session, lambda: (p := prompt_of(session, completion)) and p.status == PromptStatus.FAILED
                        and p, DEADLINE * 3, "the hanging prompt ends failed")
    assert "longer than the time allowed" in failed.error  # plain words for the participant
    row = session.get(OutboxJob, job.id)
    assert row.status == JobStatus.FAILED and "deadline" in row.last_error  # the detail, for admins
    took = (aware(row.finished_at) - aware(row.started_at)).total_seconds()
    assert took <= DEADLINE + SLACK, f"failed after {took:.1f} s, deadline {DEADLINE} s"
    [call] = session.exec(select(LlmCall).where(LlmCall.work_key == f"completion:{completion.id}")).all()
    # Its real latency: the call's timeout was cut to what was left of the deadline when it started.
    assert call.outcome == "timeout" and DEADLINE / 2 * 1000 <= call.latency_ms <= (DEADLINE + SLACK) * 1000


@pytest.mark.slow
def test_embedded_queue_a_hanging_model_fails_by_the_deadline_while_other_work_moves(world, hanging_model, settings):
    session = world.session
    ada, bob = world.members
    pump = OutboxPump(load_settings(database_url=settings.database_url, redis_url=None, outbox_pump=False),
                      poll_seconds=0.1, tick_seconds=0.2)
    ada_completion, ada_job = ask_prompt(world, ada)
    asked_at = time.monotonic()
    pump.start()
    try:
        wait_until(session, lambda: len(hanging_model.requests) == 1, until_deadline(asked_at),
                   "ada's model call starts")
        # While it hangs: a challenge opens on time, and another person's prompt is written.
        challenge = published_challenge(session, starts_in=0.5)
        wait_until(session, lambda: session.get(Challenge, challenge.id).status == ChallengeStatus.RUNNING,
                   until_deadline(asked_at), "the challenge opens")
        bob_completion, _ = ask_prompt(world, bob)
        wait_until(session, lambda: (p := prompt_of(session, bob_completion)) and p.status == PromptStatus.READY,
                   until_deadline(asked_at), "bob's prompt is written")
        assert session.get(OutboxJob, ada_job.id).status == JobStatus.RUNNING  # ada's call is still hanging
        check_the_hanging_prompt_failed_by_its_deadline(world, ada_completion, ada_job)
    finally:
        pump.stop()


@pytest.mark.redis
def test_rq_worker_a_hanging_model_fails_by_the_deadline_while_other_work_moves(world, hanging_model, settings,
                                                                              redis_url, queue_name):
    from redis import Redis
    from rq import Worker

    session = world.session
    ada, bob = world.members
    rq_settings = load_settings(database_url=settings.database_url, redis_url=redis_url, rq_queue=queue_name)
    queue = dispatch.job_queue(rq_settings)
    env = worker_env(settings.database_url, redis_url, queue_name, OPENAI_API_KEY="test-key",
                     OPENAI_BASE_URL=hanging_model.base_url, LLM_TIMEOUT_SECONDS="30", LLM_MAX_RETRIES="3",
                     JOB_DEADLINE_PROMPT_SECONDS=str(DEADLINE))
    worker = subprocess.Popen(rq_command("worker", "-w", "workers.worker.LearnloopWorker", "--url", redis_url,
                                         queue_name), env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        wait_until(session, lambda: Worker.all(connection=Redis.from_url(redis_url)), 30, "the worker starts")
        ada_completion, ada_job = ask_prompt(world, ada)
        asked_at = time.monotonic()
        dispatch.dispatch_pending(session, rq_settings, queue)
        wait_until(session, lambda: len(hanging_model.requests) == 1, until_deadline(asked_at),
                   "ada's model call starts")
        # While it hangs, the same worker writes bob's prompt and runs the clock's tick (as RQ cron enqueues it).
        bob_completion, _ = ask_prompt(world, bob)
        dispatch.dispatch_pending(session, rq_settings, queue)
        challenge = published_challenge(session, starts_in=0)
        queue.enqueue("workers.periodic.tick")
        wait_until(session, lambda: (p := prompt_of(session, bob_completion)) and p.status == PromptStatus.READY,
                   until_deadline(asked_at), "bob's prompt is written")
        wait_until(session, lambda: session.get(Challenge, challenge.id).status == ChallengeStatus.RUNNING,
                   until_deadline(asked_at), "the challenge opens")
        assert session.get(OutboxJob, ada_job.id).status == JobStatus.RUNNING  # ada's call is still hanging
        check_the_hanging_prompt_failed_by_its_deadline(world, ada_completion, ada_job)
    finally:
        worker.terminate()
        try:
            worker.wait(15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
