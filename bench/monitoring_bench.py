"""Programme dashboards at scale: gunicorn on PostgreSQL with the scale seed (10,000 users, 500 teams,
1,000,000 point events and completions) plus 50,000 reflections, 90,000 self-assessments and 10,000 badges.

Measures p50 and p95 of the dashboards an admin and a lead open (per challenge and across challenges,
with and without filters) and of a CSV export, first one person at a time, then 4 at once (a few
people watching the programme, not the whole company). The target is p95 under 500 ms. Also times
each dashboard's queries straight from Python, without HTTP. Prints a table and writes it to
bench/results/. Uses its own database and port, so it can run beside the play benchmark.
"""
from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

import psycopg

from . import play_bench as play
from . import seed as scale

DB_NAME = os.environ.get("LEARNLOOP_MONITORING_BENCH_DB", "learnloop_bench_monitoring")
PORT = int(os.environ.get("BENCH_MONITORING_PORT", "8766"))
CONCURRENT = 4
ADMIN = scale.USERS + 1  # signs in as user<id>@bench.example
LEAD = 1  # user 1 leads team 1 in the seed; made a lead by role here
CHALLENGE = 1
SKILLS_PER_CHALLENGE = 3
REFLECT_EVERY = 20  # one completion in 20 leads to a reflection: 50,000 at a million


def database() -> scale.BenchDatabase:
    url = scale.ADMIN_URL.rsplit("/", 1)[0] + f"/{DB_NAME}"
    return scale.BenchDatabase(DB_NAME, url, url.replace("postgresql://", "postgresql+psycopg://", 1))


def add_monitoring_rows(db: scale.BenchDatabase, completions: int) -> None:
    """What the scale seed lacks for these pages: an admin, a lead, reflections, skills, ratings, badges."""
    from webapp.security import hash_password

    now = datetime.now(UTC)
    with psycopg.connect(db.url) as connection, connection.cursor() as cursor:
        cursor.execute('INSERT INTO "user" (id, email, display_name, password_hash, role, timezone, is_active, '
                       "created_at) VALUES (%s, %s, 'Bench Admin', %s, 'admin', 'UTC', true, %s)",
                       (ADMIN, f"user{ADMIN}@bench.example", hash_password(scale.PASSWORD), now))
        cursor.execute("UPDATE \"user\" SET role = 'lead' WHERE id = %s", (LEAD,))
        # Prompts and reflections for every REFLECT_EVERY-th completion, by the person who completed it.
        cursor.execute(
            "INSERT INTO reflection_prompt (id, work_key, user_id, challenge_id, completion_id, status, text, created_at) "
            "SELECT id / %(every)s, 'completion:' || id, user_id, challenge_id, id, 'answered', 'What did you learn?', "
            "created_at FROM completion WHERE id %% %(every)s = 0", {"every": REFLECT_EVERY})
        cursor.execute(
            "INSERT INTO reflection (id, prompt_id, user_id, challenge_id, team_id, body, visibility, created_at) "
            "SELECT c.id / %(every)s, c.id / %(every)s, c.user_id, c.challenge_id, c.team_id, 'I learned something.', "
            "'private', c.created_at + interval '1 hour' FROM completion c WHERE c.id %% %(every)s = 0",
            {"every": REFLECT_EVERY})
        cursor.execute(
            "INSERT INTO skill (id, challenge_id, name, position) SELECT (c - 1) * %(n)s + s + 1, c, 'Skill ' || s, s "
            "FROM generate_series(1, %(challenges)s) c, generate_series(0, %(n)s - 1) s",
            {"n": SKILLS_PER_CHALLENGE, "challenges": scale.CHALLENGES})
        # Everyone rated before; half of them again after.
        cursor.execute(
            "INSERT INTO self_assessment (user_id, team_id, challenge_id, skill_id, phase, rating, created_at) "
            "SELECT e.user_id, e.team_id, e.challenge_id, s.id, p.phase, 1 + (e.user_id + s.id + p.bump) % 5, "
            "e.enrolled_at FROM enrolment e JOIN skill s ON s.challenge_id = e.challenge_id "
            "JOIN (VALUES ('before', 0), ('after', 1)) p(phase, bump) ON p.phase = 'before' OR e.user_id % 2 = 0")
        cursor.execute(
            "INSERT INTO badge_award (badge_id, challenge_id, subject, user_id, awarded_at) "
            "SELECT (e.challenge_id - 1) * 5 + 1, e.challenge_id, 'user:' || e.user_id, e.user_id, "
            "%s - (e.user_id %% 20) * interval '1 day' FROM enrolment e WHERE e.user_id %% 2 = 0", (now,))
        for table in ("reflection_prompt", "reflection", "skill", "self_assessment", "badge_award", "user"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                           f"(SELECT coalesce(max(id), 1) FROM \"{table}\"))")
        connection.commit()
    with psycopg.connect(db.url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def catch_up_rollups(db: scale.BenchDatabase) -> float:
    """The one-off catch-up after a bulk load (COPY bypasses the app), in batches; returns seconds taken."""
    from sqlmodel import Session

    from webapp.db import get_engine
    from webapp.monitoring.rollups import catch_up

    began = time.perf_counter()
    with Session(get_engine(db.sqlalchemy_url)) as session:
        catch_up(session)
    with psycopg.connect(db.url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    return time.perf_counter() - began


def pages(week_start: str, week_end: str) -> list[tuple[str, int, str]]:
    """(what, who signs in, path) for each measured page."""
    week = f"start={week_start}&end={week_end}"
    return [
        ("challenge dashboard (admin)", ADMIN, f"/monitoring/challenges/{CHALLENGE}"),
        ("challenge dashboard, one team, one week (admin)", ADMIN,
         f"/monitoring/challenges/{CHALLENGE}?team=1&{week}"),
        ("across-challenges dashboard (admin)", ADMIN, "/monitoring/"),
        ("across-challenges dashboard, one week (admin)", ADMIN, f"/monitoring/?{week}"),
        ("challenge dashboard (lead of one team)", LEAD, f"/monitoring/challenges/{CHALLENGE}"),
        ("across-challenges dashboard (lead)", LEAD, "/monitoring/"),
        ("teams CSV across challenges (admin)", ADMIN, "/monitoring/export/teams.csv"),
    ]


def query_ms(db: scale.BenchDatabase, week: tuple[datetime, datetime]) -> list[str]:
    """Each dashboard's database work alone (best of 3), to tell queries from rendering."""
    from sqlmodel import Session

    from webapp.db import get_engine
    from webapp.monitoring.figures import dashboard
    from webapp.monitoring.scope import Scope

    lines = []
    with Session(get_engine(db.sqlalchemy_url)) as session:
        for name, scope in [("challenge", Scope(challenge_id=CHALLENGE)), ("across challenges", Scope()),
                            ("across challenges, one week", Scope(start=week[0], end=week[1]))]:
            timings = []
            for _ in range(3):
                began = time.perf_counter()
                dashboard(session, scope)
                timings.append((time.perf_counter() - began) * 1000)
            lines.append(f"Queries alone, {name}: {min(timings):.0f} ms (best of 3).")
    return lines


def main() -> None:
    started = time.monotonic()
    # A port of its own (play_bench's helpers read these module globals), so both benchmarks can run at once.
    play.PORT, play.BASE = PORT, f"http://127.0.0.1:{PORT}"
    db = database()
    scale.recreate(db)
    with scale.progress_bar() as progress:
        scale.seed_world(db, progress)
        scale.add_events(db, 1, scale.EVENTS, progress)
    add_monitoring_rows(db, scale.EVENTS)
    print("Rolling up the ledger for the dashboards ...", flush=True)
    catch_up_seconds = catch_up_rollups(db)
    today = datetime.now(UTC).date()
    week = (today - timedelta(days=7), today - timedelta(days=1))
    rows: list[play.Row] = []
    server = play.start_server(db)
    try:
        for concurrency in (1, CONCURRENT):
            for name, who, path in pages(week[0].isoformat(), week[1].isoformat()):
                clients = [play.Client(who) for _ in range(concurrency)]
                print(f"{name}, {concurrency} at once ...", flush=True)
                rows.append(play.run_phase(f"{name}, {concurrency} at once", clients, play.get(path), scale.EVENTS))
    finally:
        server.terminate()
        server.wait(10)
    worst = max(row.p95 for row in rows)
    week_bounds = tuple(datetime.combine(day, datetime.min.time(), UTC) for day in (week[0], week[1] + timedelta(1)))
    notes = [f"Worst p95: {worst:.0f} ms (target < 500 ms).",
             f"One-off rollup catch-up after the bulk load ({2 * scale.EVENTS + scale.EVENTS // REFLECT_EVERY:,} rows): "
             f"{catch_up_seconds:.0f} s.",
             *query_ms(db, week_bounds),
             f"Whole run: {time.monotonic() - started:.0f} s."]
    report = play.table(rows, notes).replace("Learnloop play benchmark", "Learnloop monitoring benchmark", 1)
    report = report.replace(f"{play.CLIENTS} concurrent clients", "1 then 4 concurrent clients", 1)
    print(report)
    play.RESULTS.mkdir(parents=True, exist_ok=True)
    (play.RESULTS / f"monitoring-{datetime.now():%Y%m%d-%H%M%S}.md").write_text(report)
    if os.environ.get("BENCH_KEEP_DB") != "1":
        scale.drop(db)


if __name__ == "__main__":
    main()
