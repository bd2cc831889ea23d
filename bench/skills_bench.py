"""The skills dashboard at scale: the monitoring benchmark's world (scale seed, 1,000,000 point events and
completions, 3 skills per challenge with self-assessments) with every mission building one or two skills.

Measures p50 and p95 of the challenge dashboard (which now also counts evidence waiting for approval), of
the XP-per-skill page it loads afterwards (derived from the ledger) and of its CSV for one challenge, 1 then 4 at once, and the skill-XP query alone from Python.
Uses its own database and port.
"""
from __future__ import annotations

import os
import subprocess
import time
from datetime import UTC, datetime

import psycopg

from . import monitoring_bench as monitoring
from . import play_bench as play
from . import seed as scale

DB_NAME = os.environ.get("LEARNLOOP_SKILLS_BENCH_DB", "learnloop_bench_skills")
PORT = int(os.environ.get("BENCH_SKILLS_PORT", "8767"))


def add_mission_skills(db: scale.BenchDatabase) -> None:
    """Each mission builds the skill matching its id, and half of them a second one (weights 1 to 3)."""
    with psycopg.connect(db.url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO mission_skill (mission_id, skill_id, weight) "
            "SELECT m.id, s.id, 1 + (m.id + s.position) % 3 FROM mission m JOIN skill s ON s.challenge_id = m.challenge_id "
            "WHERE s.position = m.id % 3 OR (m.id % 2 = 0 AND s.position = (m.id + 1) % 3)")
        connection.commit()
    with psycopg.connect(db.url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE mission_skill")


def query_ms(db: scale.BenchDatabase) -> str:
    from sqlmodel import Session

    from webapp.db import get_engine
    from webapp.monitoring.scope import Scope
    from webapp.monitoring.skill_xp import skill_xp_figures

    with Session(get_engine(db.sqlalchemy_url)) as session:
        timings = []
        for _ in range(3):
            began = time.perf_counter()
            rows = skill_xp_figures(session, Scope(challenge_id=monitoring.CHALLENGE))
            timings.append((time.perf_counter() - began) * 1000)
    return f"Skill XP query alone, one challenge ({len(rows)} rows): {min(timings):.0f} ms (best of 3)."


def main() -> None:
    started = time.monotonic()
    play.PORT, play.BASE = PORT, f"http://127.0.0.1:{PORT}"
    url = scale.ADMIN_URL.rsplit("/", 1)[0] + f"/{DB_NAME}"
    db = scale.BenchDatabase(DB_NAME, url, url.replace("postgresql://", "postgresql+psycopg://", 1))
    if os.environ.get("BENCH_REUSE_DB") != "1":  # 1: measure again on the database a kept run left
        scale.recreate(db)
        with scale.progress_bar() as progress:
            scale.seed_world(db, progress)
            scale.add_events(db, 1, scale.EVENTS, progress)
        monitoring.add_monitoring_rows(db, scale.EVENTS)
        add_mission_skills(db)
        print("Rolling up the ledger for the dashboards ...", flush=True)
        monitoring.catch_up_rollups(db)
    pages = [("challenge dashboard, with pending approvals (admin)", monitoring.ADMIN,
              f"/monitoring/challenges/{monitoring.CHALLENGE}"),
             ("XP per skill page (admin)", monitoring.ADMIN,
              f"/monitoring/challenges/{monitoring.CHALLENGE}/skill-xp"),
             ("XP per skill page (lead of one team)", monitoring.LEAD,
              f"/monitoring/challenges/{monitoring.CHALLENGE}/skill-xp"),
             ("XP per skill CSV, one challenge (admin)", monitoring.ADMIN,
              f"/monitoring/challenges/{monitoring.CHALLENGE}/export/skill-xp.csv")]
    rows: list[play.Row] = []
    server = play.start_server(db)
    try:
        for concurrency in (1, monitoring.CONCURRENT):
            for name, who, path in pages:
                clients = [play.Client(who) for _ in range(concurrency)]
                print(f"{name}, {concurrency} at once ...", flush=True)
                rows.append(play.run_phase(f"{name}, {concurrency} at once", clients, play.get(path), scale.EVENTS))
    finally:
        server.terminate()
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:  # a busy machine: the figures are measured already
            server.kill()
            server.wait()
    notes = [f"Worst p95: {max(row.p95 for row in rows):.0f} ms (target < 500 ms).", query_ms(db),
             f"Whole run: {time.monotonic() - started:.0f} s."]
    report = play.table(rows, notes).replace("Learnloop play benchmark", "Learnloop skills benchmark", 1)
    report = report.replace(f"{play.CLIENTS} concurrent clients", "1 then 4 concurrent clients", 1)
    print(report)
    play.RESULTS.mkdir(parents=True, exist_ok=True)
    (play.RESULTS / f"skills-{datetime.now(UTC):%Y%m%d-%H%M%S}.md").write_text(report)
    if os.environ.get("BENCH_KEEP_DB") != "1":
        scale.drop(db)


if __name__ == "__main__":
    main()
