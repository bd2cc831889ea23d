"""Scale seed: 10,000 users, 500 teams, 20 running challenges and up to 1,000,000 point events in PostgreSQL.

Rows go in with COPY (psycopg), so the million events take seconds, not minutes. The database is
named by LEARNLOOP_BENCH_DB (default learnloop_bench) and is dropped and re-created from the
`test` database on 127.0.0.1:5432 (LEARNLOOP_BENCH_PG overrides that admin URL).
Run alone: `python -m bench.seed [events]`.
"""
from __future__ import annotations

import os
import random
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

USERS = 10_000
TEAMS = 500
CHALLENGES = 20
CHALLENGES_PER_TEAM = 2  # so each challenge has 50 teams, 1,000 players
EVENTS = 1_000_000
PASSWORD = "bench-password"
BENCH_MISSION_SLUG = "bench-practice"  # no limit, no cooldown, no evidence: completable over and over
ADMIN_URL = os.environ.get("LEARNLOOP_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
DB_NAME = os.environ.get("LEARNLOOP_BENCH_DB", "learnloop_bench")
CHUNK = 50_000


@dataclass
class BenchDatabase:
    name: str
    url: str  # libpq URL for psycopg
    sqlalchemy_url: str  # what the app reads from DATABASE_URL


def database(name: str = DB_NAME) -> BenchDatabase:
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    return BenchDatabase(name, url, url.replace("postgresql://", "postgresql+psycopg://", 1))


def recreate(db: BenchDatabase) -> None:
    from webapp.migrate import upgrade

    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{db.name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{db.name}"')
    upgrade(db.sqlalchemy_url)


def drop(db: BenchDatabase) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{db.name}" WITH (FORCE)')


def on_both_backends(scratch, pg_name: str, measure, *args) -> list[dict]:
    """`measure(backend, database_url, *args)` on a fresh migrated SQLite file in `scratch`, then on a fresh
    PostgreSQL database `pg_name` (dropped afterwards, whatever happens)."""
    from webapp.db import dispose_engines
    from webapp.migrate import upgrade

    sqlite_url = f"sqlite:///{scratch / 'bench.db'}"
    upgrade(sqlite_url)
    results = [measure("SQLite", sqlite_url, *args)]
    db = database(pg_name)
    recreate(db)
    try:
        results.append(measure("PostgreSQL", db.sqlalchemy_url, *args))
    finally:
        dispose_engines()
        drop(db)
    return results


def team_challenges(team: int) -> list[int]:
    """Challenge ids (1-based) a team (1-based) takes part in."""
    return [((team - 1 + offset * 7) % CHALLENGES) + 1 for offset in range(CHALLENGES_PER_TEAM)]


def team_of(user: int) -> int:
    return (user - 1) % TEAMS + 1


def _copy(cursor, sql: str, rows, progress=None, task=None) -> None:
    with cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            if progress is not None:
                progress.advance(task)


def seed_world(db: BenchDatabase, progress: Progress) -> None:
    """Everything except the ledger: people, teams, challenges, missions, badges, enrolments."""
    from webapp.security import hash_password

    now = datetime.now(UTC)
    password_hash = hash_password(PASSWORD)
    modes = ["full", "anonymous", "relative"]
    task = progress.add_task("People, teams, challenges", total=USERS * (2 + CHALLENGES_PER_TEAM) + TEAMS + CHALLENGES)
    with psycopg.connect(db.url) as connection, connection.cursor() as cursor:
        _copy(cursor, "COPY team (id, name, slug, created_at) FROM STDIN",
              ((t, f"Team {t:03d}", f"team-{t:03d}", now) for t in range(1, TEAMS + 1)), progress, task)
        _copy(cursor, 'COPY "user" (id, email, display_name, password_hash, role, timezone, is_active, created_at) '
                      "FROM STDIN",
              ((u, f"user{u}@bench.example", f"Person {u}", password_hash, "employee",
                ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo"][u % 4], True, now)
               for u in range(1, USERS + 1)), progress, task)
        _copy(cursor, "COPY membership (id, user_id, team_id, is_lead, joined_at) FROM STDIN",
              ((u, u, team_of(u), u <= TEAMS, now) for u in range(1, USERS + 1)), progress, task)
        _copy(cursor, "COPY challenge (id, slug, title, description, starts_at, ends_at, status, reflection_cadence, "
                      "summary_cadence, leaderboard_mode, created_at, updated_at) FROM STDIN",
              ((c, f"challenge-{c}", f"Challenge {c}", "A benchmark challenge.", now - timedelta(days=30),
                now + timedelta(days=30), "running", "after_each", "weekly", modes[(c - 1) % 3], now, now)
               for c in range(1, CHALLENGES + 1)), progress, task)
        _copy(cursor, "COPY challenge_team (challenge_id, team_id) FROM STDIN",
              ((c, t) for t in range(1, TEAMS + 1) for c in team_challenges(t)))
        kinds = ["learn", "share", "experiment", "help", "feedback"]
        _copy(cursor, "COPY mission (id, challenge_id, slug, title, kind, points, instructions, evidence_required, "
                      "max_completions, cooldown_hours, position, created_at) FROM STDIN",
              (((c - 1) * 5 + k + 1, c, BENCH_MISSION_SLUG if k == 0 else f"mission-{k}", f"Mission {k}", kinds[k],
                1 if k == 0 else 10, "Do it.", k != 0, None if k == 0 else 5, 0 if k == 0 else 12, k, now)
               for c in range(1, CHALLENGES + 1) for k in range(5)))
        # Badges that every completion evaluates but no one reaches, so the cost of checking is measured.
        badges = [("missions_completed", "individual", '{"threshold": 1000000}'),
                  ("streak_days", "individual", '{"threshold": 1000}'),
                  ("points_reached", "individual", '{"threshold": 100000000}'),
                  ("team_points_reached", "team", '{"threshold": 1000000000}'),
                  ("team_all_completed_kind", "team", '{"kind": "share"}')]
        _copy(cursor, "COPY badge (id, challenge_id, slug, name, description, rule, scope, params, created_at) FROM STDIN",
              (((c - 1) * len(badges) + b + 1, c, f"badge-{b}", f"Badge {b}", "", rule, scope, params, now)
               for c in range(1, CHALLENGES + 1) for b, (rule, scope, params) in enumerate(badges)))
        _copy(cursor, "COPY enrolment (id, challenge_id, user_id, team_id, enrolled_at) FROM STDIN",
              ((u * CHALLENGES_PER_TEAM + i, c, u, team_of(u), now - timedelta(days=29))
               for u in range(1, USERS + 1) for i, c in enumerate(team_challenges(team_of(u)))), progress, task)
        connection.commit()


def add_events(db: BenchDatabase, first_id: int, count: int, progress: Progress, seed: int = 4) -> None:
    """Append `count` completions and their point events (ids from `first_id`), spread over 28 days."""
    rng = random.Random(seed + first_id)
    now = datetime.now(UTC)
    task = progress.add_task(f"Ledger events {first_id:,}-{first_id + count - 1:,}", total=count * 2)
    with psycopg.connect(db.url) as connection, connection.cursor() as cursor:
        for start in range(first_id, first_id + count, CHUNK):
            rows = []
            for event_id in range(start, min(start + CHUNK, first_id + count)):
                user = rng.randint(1, USERS)
                team = team_of(user)
                challenge = rng.choice(team_challenges(team))
                mission_index = rng.randrange(5)
                mission = (challenge - 1) * 5 + mission_index + 1
                points = 1 if mission_index == 0 else 10
                rows.append((event_id, user, team, challenge, mission, points,
                             now - timedelta(seconds=rng.randint(3600, 28 * 86400))))
            _copy(cursor, "COPY completion (id, idempotency_key, mission_id, challenge_id, user_id, team_id, "
                          "evidence_text, points_awarded, created_at) FROM STDIN",
                  ((i, f"seed-{i}", m, c, u, t, "Seeded evidence.", p, when) for i, u, t, c, m, p, when in rows),
                  progress, task)
            _copy(cursor, "COPY point_event (id, user_id, team_id, challenge_id, amount, reason, source_type, "
                          "source_id, created_at) FROM STDIN",
                  ((i, u, t, c, p, "completion", "completion", i, when) for i, u, t, c, m, p, when in rows),
                  progress, task)
        for table in ("team", "user", "membership", "challenge", "mission", "badge", "enrolment", "completion",
                      "point_event"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                           f"(SELECT coalesce(max(id), 1) FROM \"{table}\"))")
        connection.commit()
    # VACUUM as well as ANALYZE: a live database has had autovacuum set its visibility map, which
    # index-only scans need; right after a bulk COPY it has not, and the benchmark would measure that.
    with psycopg.connect(db.url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def progress_bar() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())


def seed(events: int = EVENTS) -> BenchDatabase:
    db = database()
    recreate(db)
    with progress_bar() as progress:
        seed_world(db, progress)
        add_events(db, 1, events, progress)
    return db


if __name__ == "__main__":
    seed(int(sys.argv[1]) if len(sys.argv) > 1 else EVENTS)
    print(f"Seeded {database().sqlalchemy_url}")
