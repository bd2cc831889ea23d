"""Redis stops and restarts while employees complete missions: every accepted completion is stored,
and every job it caused (a reflection prompt) is delivered exactly once."""
import pytest
from sqlalchemy import func
from sqlmodel import select

from webapp.models import Completion, OutboxJob, ReflectionPrompt
from webapp.settings import load_settings

from ..support import RedisServer, run_rq_worker_burst
from .conftest import Employee, demo_players, open_mission, serve


@pytest.mark.redis
def test_missions_completed_during_a_redis_outage_are_all_kept_and_delivered_once(demo_database, tmp_path):
    redis = RedisServer(tmp_path / "redis")
    redis.start()
    settings = load_settings(database_url=demo_database, redis_url=redis.url, rq_queue="drill", secret_key="drill",
                             outbox_pump=True)
    base, stop = serve(settings)
    try:
        from webapp.db import get_engine
        from sqlmodel import Session

        with Session(get_engine(demo_database)) as session:
            mission_id = open_mission(session).id
            people = [Employee(base, email) for email in demo_players(session, 6)]
        accepted = 0

        def round_of_completions(label: str) -> None:
            nonlocal accepted
            for person in people:
                response = person.complete(mission_id, f"{label}: tried the new profiler on a slow query.")
                assert response.status_code == 303, response.text[:500]  # accepted, as the person saw it
                accepted += 1

        round_of_completions("before the outage")
        redis.stop()
        round_of_completions("while Redis is down")
        redis.start()  # same port, empty (no persistence), like a restarted cache node
        round_of_completions("after the restart")

        with Session(get_engine(demo_database)) as session:
            stored = session.exec(select(func.count()).select_from(Completion)
                                  .where(Completion.evidence_text.like("%profiler%"))).one()
            assert stored == accepted == 18
            # Jobs handed to the Redis that died are lost from Redis but not from the outbox:
            # the stale sweep offers them again (here: as if JOB_STALE_SECONDS had passed).
            from datetime import timedelta

            from webapp.models import JobStatus, utcnow

            for job in session.exec(select(OutboxJob).where(OutboxJob.status == JobStatus.QUEUED)):
                job.claimed_at = utcnow() - timedelta(hours=1)
                session.add(job)
            session.commit()
        from workers.pump import ensure_started

        ensure_started(settings).wake()
        for _ in range(3):  # the pump dispatches as it wakes; drain whatever it handed over
            import time

            time.sleep(1.5)
            run_rq_worker_burst(demo_database, redis.url, "drill")

        with Session(get_engine(demo_database)) as session:
            prompts = session.exec(select(ReflectionPrompt.completion_id)
                                   .join(Completion, Completion.id == ReflectionPrompt.completion_id)
                                   .where(Completion.evidence_text.like("%profiler%"))).all()
            assert len(prompts) == accepted, "every completion got its reflection prompt"
            assert len(set(prompts)) == len(prompts), "no prompt was written twice"
            waiting = session.exec(select(func.count()).select_from(OutboxJob)
                                   .where(OutboxJob.status != "done")).one()
            assert waiting == 0
    finally:
        stop()
        redis.stop()
