"""Redis stops and restarts while employees complete missions: every accepted completion is stored,
and every job it caused (a reflection prompt) is delivered exactly once."""
import time
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from webapp.db import get_engine
from webapp.models import Completion, JobStatus, OutboxJob, ReflectionPrompt, utcnow
from webapp.settings import load_settings
from workers.pump import ensure_started

from ..support import RedisServer, run_rq_worker_burst
from .conftest import Employee, demo_players, open_mission, serve

EVIDENCE = "tried the new profiler on a slow query"


@pytest.fixture
def redis(tmp_path):
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


@pytest.mark.redis
def test_missions_completed_during_a_redis_outage_are_all_kept_and_delivered_once(demo_database, redis):
    settings = load_settings(database_url=demo_database, redis_url=redis.url, rq_queue="drill", secret_key="drill",
                             outbox_pump=True)
    with Session(get_engine(demo_database)) as session:
        mission_id = open_mission(session).id
        emails = demo_players(session, 6)
    accepted = 0
    with serve(settings) as base:
        people = [Employee(base, email) for email in emails]

        def round_of_completions(label: str) -> None:
            nonlocal accepted
            for person in people:
                response = person.complete(mission_id, f"{label}: {EVIDENCE}.")
                assert response.status_code == 303, response.text[:500]  # accepted, as the person saw it
                accepted += 1

        round_of_completions("before the outage")
        redis.stop()
        round_of_completions("while Redis is down")
        redis.start()  # same port, empty (no persistence), like a restarted cache node
        round_of_completions("after the restart")

        with Session(get_engine(demo_database)) as session:
            stored = session.exec(select(func.count()).select_from(Completion)
                                  .where(Completion.evidence_text.like(f"%{EVIDENCE}%"))).one()
            assert stored == accepted == 18
            # Jobs handed to the Redis that died are gone from Redis but not from the outbox: the stale
            # sweep offers them again after JOB_STALE_SECONDS (moved here instead of waited for).
            for job in session.exec(select(OutboxJob).where(OutboxJob.status == JobStatus.QUEUED)):
                job.claimed_at = utcnow() - timedelta(hours=1)
                session.add(job)
            session.commit()
        ensure_started(settings).wake()
        for _ in range(3):  # the web process's pump dispatches as it wakes; drain what it handed over
            time.sleep(1.5)
            run_rq_worker_burst(demo_database, redis.url, "drill")

    with Session(get_engine(demo_database)) as session:
        prompts = session.exec(select(ReflectionPrompt.completion_id)
                               .join(Completion, Completion.id == ReflectionPrompt.completion_id)
                               .where(Completion.evidence_text.like(f"%{EVIDENCE}%"))).all()
        assert len(prompts) == accepted, "every completion got its reflection prompt"
        assert len(set(prompts)) == len(prompts), "no prompt was written twice"
        assert session.exec(select(func.count()).select_from(OutboxJob)
                            .where(OutboxJob.status != JobStatus.DONE)).one() == 0
