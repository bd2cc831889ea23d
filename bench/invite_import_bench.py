"""Import of 20,000 invited people (the documented maximum of a CSV) on SQLite and PostgreSQL.

Times the request (check the file, store it, queue the job), the import job itself (run as a worker runs it:
claim, batches of 500 rows, each batch with its invitations, emails and outbox rows, committed with its
progress), and, meanwhile, how long a colleague's small write waits (one insert every 50 ms from another
process): the import must not block others for more than a moment. Then runs the first two email jobs
(1,000 messages written as .eml files) to give a rate. Prints a table.
"""
from __future__ import annotations

import os
import statistics
import tempfile
import multiprocessing
import time
from pathlib import Path

SCRATCH = Path(tempfile.mkdtemp(prefix="learnloop-invite-bench-"))
os.environ.setdefault("SECRET_KEY", "bench-secret")
os.environ["MAIL_FILE_DIR"] = str(SCRATCH / "mail")
os.environ.pop("MAIL_SERVER", None)

from sqlmodel import Session, select  # noqa: E402

from webapp.people.people_imports import counts, start_import  # noqa: E402
from webapp.db import dispose_engines, get_engine  # noqa: E402
from webapp.models import Email, Notification, OutboxJob, PeopleImport, Role, Team, User  # noqa: E402
from workers.runner import run_outbox_job  # noqa: E402

from . import seed as scale  # noqa: E402

ROWS = 20_000
TEAMS = 50
EMAILS_DRAINED = 1_000


def people_csv() -> bytes:
    lines = ["email,name,team,role"]
    lines += [f"person{n}@import.example,Person {n},Team {n % TEAMS},employee" for n in range(ROWS)]
    return ("\n".join(lines) + "\n").encode()


def prepare(url: str) -> int:
    with Session(get_engine(url)) as session:
        admin = User(email="admin@bench.example", display_name="Bench Admin", password_hash="!", role=Role.ADMIN)
        session.add(admin)
        session.add_all(Team(name=f"Team {n}", slug=f"team-{n}") for n in range(TEAMS))
        session.commit()
        return admin.id


def colleague(url: str, user_id: int, stop, waits, failures) -> None:
    """Someone else using the app, in their own process (as another web worker would be): a small write
    transaction every 50 ms, timed."""
    dispose_engines()
    while not stop.is_set():
        started = time.perf_counter()
        try:
            with Session(get_engine(url)) as session:
                session.add(Notification(user_id=user_id, text="a colleague's write"))
                session.commit()
            waits.append(time.perf_counter() - started)
        except Exception:  # noqa: BLE001 - a refused write is what we count
            failures.value += 1
        stop.wait(0.05)


def measure(name: str, url: str, data: bytes) -> dict:
    admin_id = prepare(url)
    with Session(get_engine(url), expire_on_commit=False) as session:
        admin = session.get(User, admin_id)
        started = time.perf_counter()
        people_import = start_import(session, admin=admin, file_name="people.csv", data=data,
                                     create_missing_teams=False, base_url="http://localhost:5000/")
        session.commit()
        request_s = time.perf_counter() - started
        job_id = session.exec(select(OutboxJob.id).where(OutboxJob.name == "people.import")).one()
    context = multiprocessing.get_context("spawn")
    manager = context.Manager()
    stop, waits_list, failures = manager.Event(), manager.list(), manager.Value("i", 0)
    other = context.Process(target=colleague, args=(url, admin_id, stop, waits_list, failures))
    other.start()
    while not waits_list:  # the colleague is up and writing before the import starts
        time.sleep(0.05)
    started = time.perf_counter()
    status = run_outbox_job(job_id, url)
    job_s = time.perf_counter() - started
    stop.set()
    other.join()
    waits = sorted(waits_list)
    failed = failures.value
    manager.shutdown()
    with Session(get_engine(url)) as session:
        done = session.get(PeopleImport, people_import.id)
        tally = counts(done)
        # Each email job sends one batch of the import (500 messages).
        email_jobs = session.exec(select(OutboxJob.id).where(OutboxJob.name == "email.send")
                                  .order_by(OutboxJob.id).limit(EMAILS_DRAINED // 500)).all()
        emails = len(session.exec(select(Email.id)).all())
    started = time.perf_counter()
    for email_job in email_jobs:
        run_outbox_job(email_job, url)
    drain_s = time.perf_counter() - started
    with Session(get_engine(url)) as session:
        sent = len(session.exec(select(Email.id).where(Email.sent_at.is_not(None))).all())
    return {
        "backend": name, "status": status, "invited": tally["created"], "emails": emails, "request_s": request_s,
        "job_s": job_s, "rows_per_s": ROWS / job_s, "writes": len(waits), "failures": failed,
        "wait_p50_ms": statistics.median(waits) * 1000, "wait_max_ms": waits[-1] * 1000,
        "wait_p99_ms": waits[int(len(waits) * 0.99) - 1 if len(waits) > 1 else 0] * 1000,
        "email_jobs": len(email_jobs), "emails_per_s": sent / drain_s if sent else 0.0,
    }


def main() -> None:
    data = people_csv()
    results = scale.on_both_backends(SCRATCH, "learnloop_bench_invites", measure, data)
    print(f"\nImport of {ROWS:,} invited people ({len(data) / 1024:.0f} KB CSV, {TEAMS} teams), job run in-process")
    print("| backend | request s | import job s | rows/s | invited | emails queued | colleague's writes during "
          "the job | refused | wait p50 ms | p99 ms | max ms | emails/s written (.eml) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['backend']} | {r['request_s']:.2f} | {r['job_s']:.1f} | {r['rows_per_s']:,.0f} | "
              f"{r['invited']:,} | {r['emails']:,} | {r['writes']} | {r['failures']} | {r['wait_p50_ms']:.1f} | "
              f"{r['wait_p99_ms']:.0f} | {r['wait_max_ms']:.0f} | {r['emails_per_s']:.0f} |")


if __name__ == "__main__":
    main()
