"""Playing at scale: gunicorn on PostgreSQL with 10,000 users and a growing ledger, 32 concurrent clients.

Measures p50, p95 and throughput of a bare route (/healthz, the floor), the dashboard, the
leaderboard page and its htmx refresh, and the complete-mission POST (CSRF token, fresh idempotency
key each time), the last at 100,000 and at 1,000,000 ledger events. Prints a table and writes it
to bench/results/. Clients are closed-loop (no think time), so by Little's law p50 is roughly
concurrency / throughput: on a small machine latency measures the machine as much as the code.
"""
from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import requests

from . import seed as scale

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "32"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "12"))
WARMUP = 2.0
WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
PORT = int(os.environ.get("BENCH_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
# Players of challenge 1: members of the teams taking part in it.
CHALLENGE = 1


@dataclass
class Row:
    name: str
    ledger: int
    requests: int
    errors: int
    p50: float
    p95: float
    throughput: float


class Client:
    def __init__(self, user_id: int):
        self.http = requests.Session()
        token = CSRF.search(self.http.get(f"{BASE}/login").text).group(1)
        response = self.http.post(f"{BASE}/login", data={"email": f"user{user_id}@bench.example",
                                                          "password": scale.PASSWORD, "csrf_token": token},
                                  allow_redirects=False)
        assert response.status_code == 303, f"login failed for user {user_id}: {response.status_code}"
        self.token = CSRF.search(self.http.get(f"{BASE}/dashboard").text).group(1)


def players_of_challenge(count: int) -> list[int]:
    teams = [t for t in range(1, scale.TEAMS + 1) if CHALLENGE in scale.team_challenges(t)]
    users = [u for u in range(1, scale.USERS + 1) if scale.team_of(u) in teams]
    return users[:count]


def run_phase(name: str, clients: list[Client], request, ledger: int) -> Row:
    """All clients hit `request` in a loop for SECONDS; the first WARMUP seconds are not counted."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start = time.monotonic()
    counted_from, deadline = start + WARMUP, start + WARMUP + SECONDS

    def loop(client: Client):
        mine, failed = [], 0
        while True:
            began = time.monotonic()
            if began >= deadline:
                break
            ok = request(client)
            ended = time.monotonic()
            if began >= counted_from and ended <= deadline:
                mine.append(ended - began)
                failed += 0 if ok else 1
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=loop, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)] if latencies else float("nan")
    return Row(name, ledger, len(latencies), errors[0], statistics.median(latencies) * 1000 if latencies else float("nan"),
               p95 * 1000, len(latencies) / SECONDS)


def get(path: str, htmx: bool = False):
    headers = {"HX-Request": "true"} if htmx else {}

    def request(client: Client) -> bool:
        return client.http.get(BASE + path, headers=headers).status_code == 200

    return request


def complete_mission(mission_id: int):
    def request(client: Client) -> bool:
        response = client.http.post(f"{BASE}/play/missions/{mission_id}/complete", headers={"HX-Request": "true"},
                                    data={"csrf_token": client.token, "idempotency_key": uuid.uuid4().hex,
                                          "evidence_text": "Benchmark practice."})
        return response.status_code == 200 and "Mission completed" in response.text

    return request


def start_server(db: scale.BenchDatabase) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=db.sqlalchemy_url, SECRET_KEY="bench-secret", OUTBOX_PUMP="false",
               REDIS_URL="", LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "webapp:create_app()", "--bind", f"127.0.0.1:{PORT}",
         "--workers", str(WORKERS), "--backlog", "256", "--log-level", "warning"],
        cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{BASE}/healthz", timeout=5).status_code == 200:
                return server
        except requests.RequestException:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def uncached_board_ms(db: scale.BenchDatabase) -> tuple[float, float]:
    """One computation of each board straight from the ledger, as a cache miss pays it."""
    from sqlmodel import Session

    from webapp.db import get_engine
    from webapp.play.leaderboards import individual_standings, team_standings

    with Session(get_engine(db.sqlalchemy_url)) as session:
        team_standings(session, CHALLENGE)
        individual_standings(session, CHALLENGE)  # warm
        began = time.perf_counter()
        team_standings(session, CHALLENGE)
        teams = time.perf_counter() - began
        began = time.perf_counter()
        individual_standings(session, CHALLENGE)
        people = time.perf_counter() - began
    return teams * 1000, people * 1000


def table(rows: list[Row], notes: list[str]) -> str:
    lines = [f"Learnloop play benchmark, {datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} CPUs, gunicorn "
             f"{WORKERS} sync workers, {CLIENTS} concurrent clients, {SECONDS:.0f} s per row",
             "", "| route | ledger events | requests | errors | p50 ms | p95 ms | req/s |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        lines.append(f"| {row.name} | {row.ledger:,} | {row.requests} | {row.errors} | {row.p50:.1f} | "
                     f"{row.p95:.1f} | {row.throughput:.0f} |")
    return "\n".join(lines + [""] + notes) + "\n"


def main() -> None:
    started = time.monotonic()
    db = scale.database()
    scale.recreate(db)
    small, full = 100_000, scale.EVENTS
    with scale.progress_bar() as progress:
        scale.seed_world(db, progress)
        scale.add_events(db, 1, small, progress)
    mission = (CHALLENGE - 1) * 5 + 1  # the bench mission of challenge 1
    rows: list[Row] = []
    server = start_server(db)
    try:
        clients = [Client(user) for user in players_of_challenge(CLIENTS)]
        print(f"{len(clients)} clients signed in; measuring at {small:,} events ...", flush=True)
        rows.append(run_phase("complete mission (POST)", clients, complete_mission(mission), small))
        with scale.progress_bar() as progress:
            scale.add_events(db, small + 1 + 100_000, full - small, progress)  # ids above the bench's own
        print(f"measuring at {full:,} events ...", flush=True)
        ledger = full
        rows.append(run_phase("bare route (/healthz)", clients, get("/healthz"), ledger))
        rows.append(run_phase("dashboard", clients, get("/dashboard"), ledger))
        rows.append(run_phase("leaderboards page (teams + individuals)", clients,
                              get(f"/play/challenges/{CHALLENGE}/leaderboard"), ledger))
        rows.append(run_phase("leaderboards live refresh (htmx fragment)", clients,
                              get(f"/play/challenges/{CHALLENGE}/leaderboard", htmx=True), ledger))
        rows.append(run_phase("complete mission (POST)", clients, complete_mission(mission), ledger))
    finally:
        server.terminate()
        server.wait(10)
    teams_ms, people_ms = uncached_board_ms(db)
    bare = next(row for row in rows if row.name.startswith("bare"))
    board = next(row for row in rows if row.name.startswith("leaderboards page"))
    first, last = rows[0], rows[-1]
    notes = [
        f"Leaderboard throughput / bare route: {board.throughput / bare.throughput:.2f} (target >= 0.25).",
        f"Complete mission p50 at {first.ledger:,} events: {first.p50:.1f} ms; at {last.ledger:,}: {last.p50:.1f} ms "
        "(target: flat).",
        f"Boards computed from the ledger without the per-process cache ({full:,} events, challenge of 1,000 players): "
        f"teams {teams_ms:.1f} ms, individuals {people_ms:.1f} ms.",
        f"Whole run: {time.monotonic() - started:.0f} s.",
    ]
    report = table(rows, notes)
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"play-{datetime.now():%Y%m%d-%H%M%S}.md").write_text(report)
    if os.environ.get("BENCH_KEEP_DB") != "1":
        scale.drop(db)


if __name__ == "__main__":
    main()
