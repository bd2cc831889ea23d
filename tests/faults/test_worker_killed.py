"""A worker is killed with SIGKILL in the middle of a job: the job is redone and its result written once."""
import os
import signal
import subprocess
import time
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from webapp.db import get_engine
from webapp.models import Completion, JobStatus, LlmCall, OutboxJob, PromptStatus, ReflectionPrompt, User, utcnow
from webapp.play.missions import complete_mission
from webapp.settings import load_settings
from workers import dispatch

from ..llm.fake_openai import FakeOpenAI
from ..support import ROOT, WORKER_CLASS, rq_command, run_rq_worker_burst, worker_env
from .conftest import open_mission


@pytest.mark.redis
def test_job_of_a_killed_worker_is_redone_and_written_once(demo_database, redis_url):
    fake = FakeOpenAI(mode="good", slow_seconds=60).start()
    fake.script.append("slow")  # the first model call hangs: the worker will be killed during it
    settings = load_settings(database_url=demo_database, redis_url=redis_url, rq_queue="drill", outbox_pump=False)
    env = worker_env(demo_database, redis_url, "drill", OPENAI_API_KEY="drill", OPENAI_BASE_URL=fake.base_url,
                     LLM_TIMEOUT_SECONDS="120", LLM_MAX_RETRIES="0")
    try:
        with Session(get_engine(demo_database), expire_on_commit=False) as session:
            employee = session.exec(select(User).where(User.email == "employee@example.com")).one()
            result = complete_mission(session, employee, open_mission(session).id,
                                      "Tried the new tracing tool on checkout.", "", "drill-key")
            session.commit()
            assert dispatch.dispatch_pending(session, settings, dispatch.job_queue(settings)) >= 1
        worker = subprocess.Popen(rq_command("worker", "-w", WORKER_CLASS, "--url", redis_url, "drill"), env=env,
                                  cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not fake.requests:
            time.sleep(0.1)
        assert fake.requests, "the worker never called the model"
        os.killpg(worker.pid, signal.SIGKILL)  # mid-call: no cleanup, no failure handler
        worker.wait(10)

        with Session(get_engine(demo_database), expire_on_commit=False) as session:
            job = session.exec(select(OutboxJob).where(
                OutboxJob.key == f"reflection-prompt:completion:{result.completion.id}")).one()
            assert job.status == JobStatus.RUNNING  # the row still says a worker has it
            # JOB_STALE_SECONDS later the sweep takes it back; move the clock instead of waiting.
            job.claimed_at = utcnow() - timedelta(seconds=settings.job_stale_seconds + 1)
            session.add(job)
            session.commit()
            assert dispatch.release_stale(session, settings) == 1
            assert dispatch.dispatch_pending(session, settings, dispatch.job_queue(settings)) == 1
        run_rq_worker_burst(demo_database, redis_url, "drill", OPENAI_API_KEY="drill", OPENAI_BASE_URL=fake.base_url)

        with Session(get_engine(demo_database), expire_on_commit=False) as session:
            job = session.get(OutboxJob, job.id)
            assert job.status == JobStatus.DONE and job.attempts == 2
            prompts = session.exec(select(ReflectionPrompt).where(
                ReflectionPrompt.completion_id == result.completion.id)).all()
            assert len(prompts) == 1 and prompts[0].status == PromptStatus.READY and prompts[0].text
            assert session.exec(select(Completion).where(Completion.idempotency_key == "drill-key")).one()
            calls = session.exec(select(LlmCall).where(LlmCall.template_name == "reflection_prompt",
                                                       LlmCall.model != "offline")).all()
            assert [call.outcome for call in calls] == ["ok"]  # the killed call never came back to be logged
    finally:
        fake.stop()
