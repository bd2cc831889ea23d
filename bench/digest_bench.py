"""Weekly digest for the scale seed's 10,000 people (PostgreSQL): build and queue every digest, then send every
one of them through a real SMTP server (aiosmtpd, its own process) by running the email jobs the digest queued.

The scale seed puts its people in four time zones; the digest step runs once at each zone's digest hour, so every
active person gets theirs. `python -m bench.digest_bench [people] [events] [workers]`: people (default 10,000, the
rest are made inactive), ledger events (default 200,000 over 28 days), and how many worker processes run the
email jobs (default 2, as the deployment's two `rq worker` replicas; each job sends its batch of up to 500 over
one SMTP connection). Prints a table and writes it to bench/results/digest.md.
"""
from __future__ import annotations

import multiprocessing
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

SCRATCH = Path(tempfile.mkdtemp(prefix="learnloop-digest-bench-"))
os.environ.setdefault("SECRET_KEY", "bench-secret")

import psycopg  # noqa: E402
from sqlalchemy import func  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from . import seed as scale  # noqa: E402

PEOPLE = scale.USERS
EVENTS = 200_000
WORKERS = 2  # docker-compose.yml runs two rq worker replicas
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo"]  # as the scale seed spreads people
RESULTS = Path(__file__).resolve().parent / "results"


def last_digest_moment(zone: str, now: datetime, weekday: int, hour: int) -> datetime:
    """The latest moment not after `now` at which it was `hour` on `weekday` in `zone` (as UTC)."""
    local = now.astimezone(ZoneInfo(zone)).replace(minute=0, second=0, microsecond=0)
    while not (local.weekday() == weekday and local.hour == hour):
        local -= timedelta(hours=1)
    return local.astimezone(UTC)


def send_all(database_url: str, job_ids: list[int], workers: int) -> list[str]:
    """Run the email jobs as `workers` worker processes would: each takes the next job when it is done."""
    from webapp.db import dispose_engines
    from workers.runner import run_outbox_job

    if workers == 1:
        return [run_outbox_job(job_id, database_url) for job_id in job_ids]
    dispose_engines()  # no pooled connection may cross the fork
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return pool.starmap(run_outbox_job, [(job_id, database_url) for job_id in job_ids], chunksize=1)


def main(people: int = PEOPLE, events: int = EVENTS, workers: int = WORKERS) -> dict:
    from tests.support import SmtpServer

    db = scale.database("learnloop_digest_bench")
    scale.recreate(db)
    with scale.progress_bar() as progress:
        scale.seed_world(db, progress)
        scale.add_events(db, 1, events, progress)
    with psycopg.connect(db.url, autocommit=True) as connection:
        connection.execute('UPDATE "user" SET is_active = false WHERE id > %s', (people,))

    smtp = SmtpServer(SCRATCH / "mailbox")
    smtp.start()
    os.environ.update(DATABASE_URL=db.sqlalchemy_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp.port))
    from webapp.settings import get_settings

    get_settings.cache_clear()
    from webapp.db import get_engine
    from webapp.models import DigestSent, Email, JobStatus, OutboxJob
    from webapp.notifications.digest import send_digests

    settings = get_settings()
    engine = get_engine(db.sqlalchemy_url)
    now = datetime.now(UTC)
    load_before = os.getloadavg()[0]
    try:
        started = time.perf_counter()
        queued = 0
        with Session(engine, expire_on_commit=False) as session:
            for zone in ZONES:
                queued += send_digests(session, last_digest_moment(zone, now, settings.digest_weekday,
                                                                   settings.digest_hour))
        build_s = time.perf_counter() - started
        with Session(engine) as session:
            covered = session.exec(select(func.count()).select_from(DigestSent)).one()
            job_ids = list(session.exec(select(OutboxJob.id).where(OutboxJob.name == "email.send")
                                        .order_by(OutboxJob.id)).all())
        started = time.perf_counter()
        statuses = send_all(db.sqlalchemy_url, job_ids, workers)
        send_s = time.perf_counter() - started
        assert set(statuses) == {JobStatus.DONE}, statuses
        with Session(get_engine(db.sqlalchemy_url)) as session:
            marked = session.exec(select(func.count()).select_from(Email).where(Email.sent_at.is_not(None))).one()
        arrived = sum(1 for _ in (SCRATCH / "mailbox" / "new").iterdir())
        assert arrived == marked == queued, (arrived, marked, queued)
        load_after = os.getloadavg()[0]
    finally:
        smtp.stop()
        from webapp.db import dispose_engines

        dispose_engines()
        scale.drop(db)
    result = dict(people=people, events=events, covered=covered, queued=queued, build_s=build_s,
                  per_person_ms=build_s * 1000 / max(covered, 1), sent=arrived, jobs=len(job_ids), workers=workers,
                  send_s=send_s, mails_per_s=arrived / send_s if send_s else 0.0,
                  total_s=build_s + send_s)
    table = "\n".join([
        f"Weekly digest, PostgreSQL, {people:,} active people, {events:,} ledger events over 28 days, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {load_before:.1f} before, {load_after:.1f} after",
        "| people covered | digests queued | build + queue s | ms per person | email jobs | workers | sent via SMTP "
        "| send s | mails/s | build + send s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {covered:,} | {queued:,} | {build_s:.1f} | {result['per_person_ms']:.2f} | {len(job_ids)} | {workers} | "
        f"{arrived:,} | {send_s:.1f} | {result['mails_per_s']:.0f} | {result['total_s']:.1f} |",
    ])
    print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "digest.md").write_text(table + "\n")
    return result


if __name__ == "__main__":
    arguments = [int(value) for value in sys.argv[1:4]]
    main(*arguments)
