"""Weekly digest for the scale seed's 10,000 people (PostgreSQL): build and queue every digest, then send a sample
through a real SMTP server (aiosmtpd, its own process) the way the email job sends them.

The scale seed puts its people in four time zones; the digest step runs once at each zone's digest hour, so every
active person gets theirs. `python -m bench.digest_bench [people] [events] [mails]`: people (default 10,000, the
rest are made inactive), ledger events (default 200,000 over 28 days), and how many of the queued messages go
through SMTP (default 1,000; the rate is per message, so a sample gives it). Prints a table and writes it to
bench/results/digest.md.
"""
from __future__ import annotations

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
from sqlalchemy import func, update  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from . import seed as scale  # noqa: E402

PEOPLE = scale.USERS
EVENTS = 200_000
MAILS = 1_000
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo"]  # as the scale seed spreads people
RESULTS = Path(__file__).resolve().parent / "results"


def last_digest_moment(zone: str, now: datetime, weekday: int, hour: int) -> datetime:
    """The latest moment not after `now` at which it was `hour` on `weekday` in `zone` (as UTC)."""
    local = now.astimezone(ZoneInfo(zone)).replace(minute=0, second=0, microsecond=0)
    while not (local.weekday() == weekday and local.hour == hour):
        local -= timedelta(hours=1)
    return local.astimezone(UTC)


def main(people: int = PEOPLE, events: int = EVENTS, mails: int = MAILS) -> dict:
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
    from webapp.jobs import enqueue
    from webapp.models import DigestSent, Email, JobStatus, OutboxJob
    from webapp.notifications.digest import send_digests
    from workers.runner import run_outbox_job

    settings = get_settings()
    engine = get_engine(db.sqlalchemy_url)
    now = datetime.now(UTC)
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
            # Send a sample: one email job for the first `mails` messages, as the digest's own jobs send theirs.
            sample = list(session.exec(select(Email.id).order_by(Email.id).limit(mails)).all())
            session.exec(update(OutboxJob).where(OutboxJob.name == "email.send").values(status=JobStatus.DONE))
            job = enqueue(session, "email.send", "bench-sample", email_ids=sample)
            session.commit()
            job_id = job.id
        started = time.perf_counter()
        assert run_outbox_job(job_id, db.sqlalchemy_url) == JobStatus.DONE
        send_s = time.perf_counter() - started
        arrived = len(smtp.messages())
    finally:
        smtp.stop()
        from webapp.db import dispose_engines

        dispose_engines()
        scale.drop(db)
    result = dict(people=people, events=events, covered=covered, queued=queued, build_s=build_s,
                  per_person_ms=build_s * 1000 / max(covered, 1), sent=arrived, send_s=send_s,
                  mails_per_s=arrived / send_s if send_s else 0.0)
    table = "\n".join([
        f"Weekly digest, PostgreSQL, {people:,} active people, {events:,} ledger events over 28 days",
        "| people covered | digests queued | build + queue s | ms per person | sent via SMTP | send s | mails/s |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        f"| {covered:,} | {queued:,} | {build_s:.1f} | {result['per_person_ms']:.2f} | {arrived:,} | {send_s:.1f} | "
        f"{result['mails_per_s']:.0f} |",
    ])
    print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "digest.md").write_text(table + "\n")
    return result


if __name__ == "__main__":
    arguments = [int(value) for value in sys.argv[1:4]]
    main(*arguments)
