"""The outbox in embedded mode: written with the change, run in-process, retried, never twice."""
from datetime import timedelta

import pytest
from sqlmodel import select

from webapp import jobs
from webapp.jobs import enqueue
from webapp.models import ImportStatus, JobStatus, Notification, OutboxJob, PeopleImport, utcnow
from workers.pump import OutboxPump
from workers.runner import run_outbox_job


@pytest.fixture
def pump(settings):
    return OutboxPump(settings)


@pytest.fixture
def failing_job(monkeypatch):
    """A job name whose function raises, to watch retries (the job table is the real one)."""
    calls = []

    def explode(session, *, job, **payload):
        calls.append(job.attempts)
        raise RuntimeError("the LLM is down")

    monkeypatch.setitem(jobs.all_declared(), "test.explode", jobs.Job("test.explode", explode))
    return calls


def test_job_written_with_the_change_runs_in_process(session, make_user, pump):
    user = make_user("ada@example.com")
    enqueue(session, "notifications.send", f"welcome:{user.id}", user_id=user.id, text="Welcome!")
    session.commit()
    assert pump.run_once() == 1
    session.expire_all()
    assert [n.text for n in session.exec(select(Notification))] == ["Welcome!"]
    assert session.exec(select(OutboxJob)).one().status == JobStatus.DONE


def test_rolled_back_change_leaves_no_job(session, make_user, pump):
    user = make_user("ada@example.com")
    enqueue(session, "notifications.send", "k", user_id=user.id, text="never")
    session.rollback()
    assert session.exec(select(OutboxJob)).all() == []
    assert pump.run_once() == 0


def test_same_key_gives_one_job(session, make_user):
    user = make_user("ada@example.com")
    first = enqueue(session, "notifications.send", "same", user_id=user.id, text="a")
    session.commit()
    second = enqueue(session, "notifications.send", "same", user_id=user.id, text="a")
    session.commit()
    assert first.id == second.id
    assert len(session.exec(select(OutboxJob)).all()) == 1


def test_a_job_delivered_twice_runs_once(session, make_user, settings):
    user = make_user("ada@example.com")
    job = enqueue(session, "notifications.send", "k", user_id=user.id, text="once")
    session.commit()
    assert run_outbox_job(job.id, settings.database_url) == JobStatus.DONE
    assert run_outbox_job(job.id, settings.database_url) == JobStatus.DONE
    session.expire_all()
    assert len(session.exec(select(Notification)).all()) == 1
    assert session.get(OutboxJob, job.id).attempts == 1


def test_failure_is_retried_with_backoff_then_marked_failed(session, failing_job, settings):
    job = enqueue(session, "test.explode", "boom")
    session.commit()
    assert run_outbox_job(job.id, settings.database_url) == JobStatus.PENDING
    session.expire_all()
    row = session.get(OutboxJob, job.id)
    assert "the LLM is down" in row.last_error
    assert row.available_at > utcnow() + timedelta(seconds=3)  # not before its backoff
    for _ in range(settings.job_max_attempts - 1):
        row.available_at = utcnow()
        session.add(row)
        session.commit()
        run_outbox_job(job.id, settings.database_url)
        session.expire_all()
        row = session.get(OutboxJob, job.id)
    assert row.status == JobStatus.FAILED
    assert len(failing_job) == settings.job_max_attempts


def test_job_not_yet_due_waits(session, make_user, pump):
    user = make_user("ada@example.com")
    job = enqueue(session, "notifications.send", "later", user_id=user.id, text="later")
    job.available_at = utcnow() + timedelta(minutes=5)
    session.commit()
    assert pump.run_once() == 0


def test_job_lost_by_a_dead_runner_is_run_again(session, make_user, settings, pump):
    user = make_user("ada@example.com")
    job = enqueue(session, "notifications.send", "lost", user_id=user.id, text="again")
    job.status = JobStatus.RUNNING
    job.claimed_at = utcnow() - timedelta(seconds=settings.job_stale_seconds + 5)
    session.commit()
    assert pump.run_once() == 1
    session.expire_all()
    assert session.get(OutboxJob, job.id).status == JobStatus.DONE
    assert len(session.exec(select(Notification)).all()) == 1


def test_pump_thread_runs_jobs_committed_by_a_request(app, session, make_user, settings):
    """With the pump on (as in `make run`), a commit wakes it and the job runs without being asked."""
    import time

    from workers.pump import ensure_started, stop

    user = make_user("ada@example.com")
    ensure_started(settings)
    try:
        enqueue(session, "notifications.send", "live", user_id=user.id, text="live")
        session.commit()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not session.exec(select(Notification)).all():
            session.rollback()  # a fresh snapshot each look (SQLite's WAL keeps the old one otherwise)
            time.sleep(0.05)
        assert len(session.exec(select(Notification)).all()) == 1
    finally:
        stop(settings)


def test_admin_retries_a_failed_job_from_the_page(client, auth, make_user, session, pump):
    from webapp.models import Role

    make_user("admin@example.com", Role.ADMIN)
    target = make_user("ada@example.com")
    job = enqueue(session, "notifications.send", "retry-me", user_id=target.id, text="retried")
    job.status = JobStatus.FAILED
    job.attempts = 5
    job.last_error = "RuntimeError: boom"
    session.commit()
    auth.login("admin@example.com")
    page = client.get("/admin/jobs?status=failed").get_data(as_text=True)
    assert "RuntimeError: boom" in page and "Retry job" in page
    response = auth.post(f"/admin/jobs/{job.id}/retry", page="/admin/jobs")
    assert response.status_code == 303
    pump.run_once()
    session.expire_all()
    assert session.get(OutboxJob, job.id).status == JobStatus.DONE
    assert [n.text for n in session.exec(select(Notification))] == ["retried"]


def test_only_failed_jobs_can_be_retried(client, auth, make_user, session):
    from webapp.models import Role

    make_user("admin@example.com", Role.ADMIN)
    job = enqueue(session, "notifications.send", "done", user_id=1, text="x")
    job.status = JobStatus.DONE
    session.commit()
    auth.login("admin@example.com")
    response = auth.post(f"/admin/jobs/{job.id}/retry", page="/admin/jobs", follow_redirects=True)
    assert "only failed jobs can be retried" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(OutboxJob, job.id).status == JobStatus.DONE


def test_an_import_whose_job_ends_failed_shows_as_failed(session, make_user, settings):
    """The failure hook declared with the job runs when it fails for good (here: past its deadline unstarted)."""
    admin = make_user("admin@example.com")
    people_import = PeopleImport(created_by_id=admin.id, file_name="people.csv", csv_text="email\nbo@example.com\n",
                                 base_url="http://localhost")
    session.add(people_import)
    session.flush()
    job = enqueue(session, jobs.PEOPLE_IMPORT, f"people-import:{people_import.id}", import_id=people_import.id)
    job.started_at = utcnow() - timedelta(days=1)
    session.commit()
    assert run_outbox_job(job.id, settings.database_url) == JobStatus.FAILED
    session.expire_all()
    assert session.get(PeopleImport, people_import.id).status == ImportStatus.FAILED
    assert [n.link for n in session.exec(select(Notification))] == ["/admin/users"]
