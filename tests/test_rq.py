"""The production job path: outbox rows dispatched to RQ on a real Redis, run by real `rq worker` processes."""
import subprocess
import time

import pytest
from redis import Redis
from rq import Queue
from sqlmodel import select

from webapp.jobs import enqueue
from webapp.models import JobStatus, Notification, OutboxJob
from workers import dispatch
from workers.pump import OutboxPump

from .support import ROOT, RedisServer, rq_command, run_rq_worker_burst, worker_env

pytestmark = pytest.mark.redis


@pytest.fixture
def settings_overrides(redis_url, queue_name):
    return {"redis_url": redis_url, "rq_queue": queue_name}


def _notify(session, user_id, count, prefix="n"):
    for index in range(count):
        enqueue(session, "notifications.send", f"{prefix}-{index}", user_id=user_id, text=f"{prefix} {index}")
    session.commit()


def test_job_round_trip_through_a_real_rq_worker(session, make_user, settings, queue_name):
    user = make_user("ada@example.com")
    _notify(session, user.id, 3)
    queue = dispatch.job_queue(settings)
    assert dispatch.dispatch_pending(session, settings, queue) == 3
    assert queue.count == 3
    output = run_rq_worker_burst(settings.database_url, settings.redis_url, queue_name)
    assert "run_in_worker" in output  # dispatch.RUNNER
    session.expire_all()
    assert sorted(n.text for n in session.exec(select(Notification))) == ["n 0", "n 1", "n 2"]
    assert {job.status for job in session.exec(select(OutboxJob))} == {JobStatus.DONE}


def test_jobs_written_while_redis_is_down_arrive_once_after_restart(session, make_user, settings, tmp_path):
    """Redis stops; requests keep committing jobs; nothing is lost, nothing runs twice."""
    server = RedisServer(tmp_path / "outage")
    server.start()
    outage_settings = settings.model_copy(update={"redis_url": server.url})
    user = make_user("ada@example.com")
    pump = OutboxPump(outage_settings)
    try:
        _notify(session, user.id, 5, prefix="before")
        assert pump.run_once() == 5
        server.stop()
        _notify(session, user.id, 20, prefix="during")
        assert pump.run_once() == 0  # Redis is down: the rows wait, the pump does not crash
        session.expire_all()
        statuses = [job.status for job in session.exec(select(OutboxJob))]
        assert statuses.count(JobStatus.PENDING) == 20
        server.start()  # same port, empty: like a Redis restarted without persistence
        # The first 5 were queued in the Redis that died (no persistence): the stale sweep re-offers them.
        assert pump.run_once() == 20
        run_rq_worker_burst(settings.database_url, server.url, settings.rq_queue)
        _release_lost_jobs(session)
        assert pump.run_once() == 5
        run_rq_worker_burst(settings.database_url, server.url, settings.rq_queue)
        session.expire_all()
        texts = [n.text for n in session.exec(select(Notification))]
        assert len(texts) == 25 and len(set(texts)) == 25
        assert {job.status for job in session.exec(select(OutboxJob))} == {JobStatus.DONE}
    finally:
        server.stop()


def _release_lost_jobs(session) -> None:
    """What the stale sweep does after JOB_STALE_SECONDS: pretend that time has passed for queued rows."""
    from datetime import timedelta

    from webapp.models import utcnow

    for job in session.exec(select(OutboxJob).where(OutboxJob.status == JobStatus.QUEUED)):
        job.claimed_at = utcnow() - timedelta(hours=1)
        session.add(job)
    session.commit()


def test_duplicate_rq_delivery_runs_the_job_once(session, make_user, settings, queue_name):
    user = make_user("ada@example.com")
    job = enqueue(session, "notifications.send", "dup", user_id=user.id, text="once")
    session.commit()
    queue = Queue(queue_name, connection=Redis.from_url(settings.redis_url))
    for attempt in range(3):  # the same outbox row handed to RQ three times, under three RQ ids
        queue.enqueue(dispatch.RUNNER, job.id, job_id=f"dup-{attempt}")
    run_rq_worker_burst(settings.database_url, settings.redis_url, queue_name)
    session.expire_all()
    assert len(session.exec(select(Notification)).all()) == 1


def test_rq_cron_schedules_the_outbox_sweep(session, make_user, settings, queue_name):
    """`rq cron workers.cron` (the compose scheduler) enqueues the sweep, which dispatches waiting rows."""
    user = make_user("ada@example.com")
    _notify(session, user.id, 2, prefix="swept")
    env = worker_env(settings.database_url, settings.redis_url, queue_name)
    cron = subprocess.Popen(rq_command("cron", "--url", settings.redis_url, "workers.cron"), env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        queue = Queue(queue_name, connection=Redis.from_url(settings.redis_url))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and queue.count == 0:
            time.sleep(0.2)
        assert queue.count > 0, "rq cron enqueued nothing"
    finally:
        cron.terminate()
        cron.wait(10)
    run_rq_worker_burst(settings.database_url, settings.redis_url, queue_name)  # runs the sweep
    run_rq_worker_burst(settings.database_url, settings.redis_url, queue_name)  # runs what it dispatched
    session.expire_all()
    assert sorted(n.text for n in session.exec(select(Notification))) == ["swept 0", "swept 1"]


def test_app_boots_with_postgres_and_redis(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    report = response.get_json()
    assert report["redis"] == "ok" and report["queue"] == "rq"
