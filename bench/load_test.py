"""The load test: 50 simulated people (Locust, bench/load/locustfile.py) against the production shape.

gunicorn, PostgreSQL with the scale seed (10,000 users, 500 teams, 20 challenges, 1,000,000 point
events), a private redis-server, two `rq worker -w workers.worker.LearnloopWorker` processes and
`rq cron workers.cron`, with the offline writer (no OPENAI_API_KEY), so the reflection prompts
players answer are really written by the workers during the run. `make load` runs it.

The database (LEARNLOOP_LOAD_DB, default learnloop_bench_load) is seeded once and kept: a later run
only migrates it. On top of the seed it gets 6 leads, 4 admins and, for each lead's team, shared
reflections and a draft lesson summary written by the real summary job, so leads have drafts to
review. Prints a table of p50, p95, p99, requests/s and errors per request name and in total, and
writes it (with the Locust CSV files and each process's log) under bench/results/.
Exits with status 1 when any request failed.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import psycopg
import requests

from . import seed as scale

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
LOCUSTFILE = ROOT / "bench" / "load" / "locustfile.py"
DB_NAME = os.environ.get("LEARNLOOP_LOAD_DB", "learnloop_bench_load")
PORT = int(os.environ.get("LOAD_PORT", "8767"))
BASE = f"http://127.0.0.1:{PORT}"
USERS = int(os.environ.get("LOAD_USERS", "50"))
SPAWN_RATE = int(os.environ.get("LOAD_SPAWN_RATE", "5"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "180"))
QUEUE = "learnloop-load"
# gthread, cores + 1 processes x 4 threads. The mix holds pages of very different cost: a programme
# dashboard takes a few hundred ms on the seed, a leaderboard refresh a few. With sync workers
# (what the play benchmark uses for its one-route-at-a-time load) a slow page holds a whole process,
# and quick pages queue behind it; threads let a process serve them while another thread waits on
# PostgreSQL. The process count stays at cores + 1 because the GIL runs one thread's Python at a
# time: the processes use both cores, the threads fill the waits. LOAD_WORKERS, LOAD_WORKER_CLASS and
# LOAD_THREADS override it to compare.
WORKERS = int(os.environ.get("LOAD_WORKERS", str((os.cpu_count() or 1) + 1)))
WORKER_CLASS = os.environ.get("LOAD_WORKER_CLASS", "gthread")
THREADS = int(os.environ.get("LOAD_THREADS", "4"))
# Longer than the longest think time: with gunicorn's default of 2 s, a connection the server closes as
# the client reuses it after a 1-3 s pause fails the next request (a race of the test, not of the app;
# in production a proxy holds the client connections).
KEEP_ALIVE = 5
# Accounts of the seed: employees who play, leads of teams 1-6 (the seed makes user t lead team t),
# and admins taken from the end of the user list.
EMPLOYEES = list(range(1001, 1041))
LEADS = list(range(1, 7))
ADMINS = list(range(scale.USERS - 3, scale.USERS + 1))
REFLECTIONS_PER_TEAM = 8


def database() -> scale.BenchDatabase:
    url = scale.ADMIN_URL.rsplit("/", 1)[0] + f"/{DB_NAME}"
    return scale.BenchDatabase(DB_NAME, url, url.replace("postgresql://", "postgresql+psycopg://", 1))


def email(user: int) -> str:
    return f"user{user}@bench.example"


def is_seeded(db: scale.BenchDatabase) -> bool:
    with psycopg.connect(scale.ADMIN_URL, autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db.name,)).fetchone() is None:
            return False
    try:
        with psycopg.connect(db.url) as connection:
            events = connection.execute("SELECT count(*) FROM point_event WHERE id <= %s", (scale.EVENTS,)).fetchone()
            drafts = connection.execute("SELECT count(*) FROM lesson_summary WHERE work_key LIKE 'load:%'").fetchone()
    except psycopg.Error:
        return False
    return events[0] == scale.EVENTS and drafts[0] == len(LEADS)


def seed(db: scale.BenchDatabase) -> None:
    """The scale seed, then what the mix needs on top of it: roles, shared reflections, draft summaries."""
    scale.recreate(db)
    with scale.progress_bar() as progress:
        scale.seed_world(db, progress)
        scale.add_events(db, 1, scale.EVENTS, progress)
    with psycopg.connect(db.url) as connection:
        connection.execute("UPDATE \"user\" SET role = 'lead' WHERE id = ANY(%s)", (LEADS,))
        connection.execute("UPDATE \"user\" SET role = 'admin' WHERE id = ANY(%s)", (ADMINS,))
        connection.commit()
    add_drafts(db)


def add_drafts(db: scale.BenchDatabase) -> None:
    """Shared reflections of each lead's team and a draft summary of them, written by the real summary job."""
    from sqlmodel import Session, col, select

    from webapp.db import get_engine
    from webapp.models import Completion, OutboxJob, PromptStatus, Reflection, ReflectionPrompt, Visibility, utcnow
    from workers.runner import run_outbox_job
    from webapp.summaries.requests import outbox_key, request_summary

    bodies = ["I learned that a checklist before deploying saves hours; next time I will start with it.",
              "Pairing on the flaky test worked; the mistake was not pinning the clock, so it failed at midnight.",
              "The profiler showed our cache was never hit. I wonder whether other services have the same problem?",
              "Writing the rollback steps down first kept the team calm. We plan to do it for every release."]
    with Session(get_engine(db.sqlalchemy_url), expire_on_commit=False) as session:
        for team in LEADS:
            challenge = scale.team_challenges(team)[0]
            completions = session.exec(select(Completion).where(
                Completion.team_id == team, Completion.challenge_id == challenge)
                .order_by(col(Completion.id)).limit(REFLECTIONS_PER_TEAM)).all()
            for index, completion in enumerate(completions):
                prompt = ReflectionPrompt(work_key=f"completion:{completion.id}", user_id=completion.user_id,
                                          challenge_id=challenge, completion_id=completion.id,
                                          status=PromptStatus.ANSWERED, text="**What happened?**", writer="offline",
                                          ready_at=utcnow())
                session.add(prompt)
                session.flush()
                session.add(Reflection(prompt_id=prompt.id, user_id=completion.user_id, challenge_id=challenge,
                                       team_id=team, body=bodies[index % len(bodies)], visibility=Visibility.TEAM))
            summary = request_summary(session, team_id=team, challenge_id=challenge, trigger="on_demand",
                                      work_key=f"load:{challenge}:{team}")
            session.commit()
            job = session.exec(select(OutboxJob).where(OutboxJob.key == outbox_key(summary))).one()
            status = run_outbox_job(job.id, db.sqlalchemy_url)
            if status != "done":
                raise RuntimeError(f"the draft summary of team {team} was not written: {status}")


def accounts_file(folder: Path) -> Path:
    path = folder / "accounts.json"
    path.write_text(json.dumps({"password": scale.PASSWORD, "employees": [email(u) for u in EMPLOYEES],
                                "leads": [email(u) for u in LEADS], "admins": [email(u) for u in ADMINS]}))
    return path


class Processes:
    """Every process of the run, each logging to its own file; stopped together at the end."""

    def __init__(self, folder: Path, env: dict):
        self.folder, self.env, self.running = folder, env, []

    def start(self, name: str, command: list[str]) -> subprocess.Popen:
        log = (self.folder / f"{name}.log").open("w")
        process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.running.append((name, process, log))
        return process

    def check(self) -> None:
        for name, process, _ in self.running:
            if process.poll() is not None:
                raise RuntimeError(f"{name} stopped (status {process.returncode}); see {self.folder / name}.log")

    def stop(self) -> None:
        for _, process, _ in reversed(self.running):
            if process.poll() is None:
                process.terminate()
        for _, process, log in reversed(self.running):
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
            log.close()


def tool(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def wait_ready(processes: Processes, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        processes.check()
        try:
            if requests.get(f"{BASE}/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not become ready")


def outbox_counts(db: scale.BenchDatabase) -> dict[str, int]:
    with psycopg.connect(db.url) as connection:
        return dict(connection.execute("SELECT status, count(*) FROM outbox_job GROUP BY status").fetchall())


def written_during(db: scale.BenchDatabase, began: datetime) -> dict[str, int]:
    with psycopg.connect(db.url) as connection:
        def count(sql: str) -> int:
            return connection.execute(sql, (began,)).fetchone()[0]

        return {"completions": count("SELECT count(*) FROM completion WHERE created_at >= %s"),
                "prompts written": count("SELECT count(*) FROM reflection_prompt WHERE ready_at >= %s"),
                "reflections": count("SELECT count(*) FROM reflection WHERE created_at >= %s"),
                "kudos": count("SELECT count(*) FROM kudos WHERE created_at >= %s")}


def read_stats(prefix: Path) -> list[dict]:
    with (prefix.parent / f"{prefix.name}_stats.csv").open() as handle:
        return list(csv.DictReader(handle))


def failures(prefix: Path) -> list[dict]:
    path = prefix.parent / f"{prefix.name}_failures.csv"
    return list(csv.DictReader(path.open())) if path.exists() else []


def table(rows: list[dict], extra: list[str]) -> str:
    model = f"{WORKERS} {WORKER_CLASS} workers" + (f" x {THREADS} threads" if WORKER_CLASS == "gthread" else "")
    lines = [f"Learnloop load test, {datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} CPUs, gunicorn {model}, "
             f"2 rq workers + rq cron, PostgreSQL scale seed ({scale.USERS:,} users, {scale.EVENTS:,} point events); "
             f"{USERS} simulated people (Locust), think time 1-3 s, {SECONDS} s",
             "", "| request | requests | errors | p50 ms | p95 ms | p99 ms | req/s |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    ordered = sorted((row for row in rows if row["Name"] != "Aggregated"), key=lambda row: row["Name"])
    ordered += [row for row in rows if row["Name"] == "Aggregated"]
    for row in ordered:
        name = "**total**" if row["Name"] == "Aggregated" else row["Name"]
        lines.append(f"| {name} | {row['Request Count']} | {row['Failure Count']} | {row['50%']} | {row['95%']} | "
                     f"{row['99%']} | {float(row['Requests/s']):.1f} |")
    return "\n".join(lines + [""] + extra) + "\n"


def main() -> None:
    began_run = time.monotonic()
    shutil.which("redis-server") or sys.exit("redis-server is missing (apt-get install -y redis-server)")
    db = database()
    if is_seeded(db):
        from webapp.migrate import upgrade

        upgrade(db.sqlalchemy_url)
        print(f"Reusing {db.name} (migrated).", flush=True)
    else:
        print(f"Seeding {db.name} (about two minutes, once) ...", flush=True)
        seed(db)
    stamp = f"{datetime.now():%Y%m%d-%H%M%S}"
    folder = RESULTS / f"load-{stamp}"
    folder.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT))
    from tests.support import redis_server

    with redis_server(folder / "redis") as redis:
        env = {key: value for key, value in os.environ.items() if key != "OPENAI_API_KEY"}
        env.update(DATABASE_URL=db.sqlalchemy_url, REDIS_URL=redis.url, RQ_QUEUE=QUEUE, SECRET_KEY="load-test-secret",
                   LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))
        processes = Processes(folder, env)
        try:
            processes.start("gunicorn", [
                tool("gunicorn"), "webapp:create_app()", "--bind", f"127.0.0.1:{PORT}", "--workers", str(WORKERS),
                "--worker-class", WORKER_CLASS, "--threads", str(THREADS), "--backlog", "256",
                "--keep-alive", str(KEEP_ALIVE),
                "--log-level", "warning"])
            for number in (1, 2):
                processes.start(f"rq-worker-{number}", [tool("rq"), "worker", "-w", "workers.worker.LearnloopWorker",
                                                        "--url", redis.url, QUEUE])
            processes.start("rq-cron", [tool("rq"), "cron", "--url", redis.url, "workers.cron"])
            wait_ready(processes)
            before = outbox_counts(db)
            load_start = os.getloadavg()[0]
            began = datetime.now().astimezone()
            prefix = folder / "locust"
            print(f"Running {USERS} simulated people for {SECONDS} s against {BASE} ...", flush=True)
            locust = subprocess.run(
                [tool("locust"), "-f", str(LOCUSTFILE), "--headless", "--host", BASE, "-u", str(USERS),
                 "-r", str(SPAWN_RATE), "-t", f"{SECONDS}s", "--csv", str(prefix), "--only-summary",
                 "--stop-timeout", "10", "--loglevel", "WARNING"],
                cwd=ROOT, env=dict(env, LOAD_ACCOUNTS=str(accounts_file(folder))), capture_output=True, text=True,
                timeout=SECONDS + 180)
            load_end = os.getloadavg()[0]
            (folder / "locust.log").write_text(locust.stdout + locust.stderr)
            time.sleep(5)  # let the workers finish the prompts of the last completions
            processes.check()
            health = requests.get(f"{BASE}/healthz", timeout=10).json()
            written = written_during(db, began)
            after = outbox_counts(db)
        finally:
            processes.stop()
    rows = read_stats(prefix)
    failed = failures(prefix)
    extra = [f"Load average of the machine (1 min) at the start / end: {load_start:.1f} / {load_end:.1f} "
             f"on {os.cpu_count()} CPUs (other processes share it)."]
    extra += ["Written during the run: " + ", ".join(f"{count} {what}" for what, count in written.items()) + "."]
    extra.append("Outbox jobs by status before / after: " + json.dumps(before) + " / " + json.dumps(after)
                 + f"; /healthz at the end: {json.dumps(health)}.")
    extra.append("Rows named '... refused by a rule (422)' are not extra requests: they count the POSTs above "
                 "that a product rule refused (a correct answer), and the total includes them.")
    if failed:
        extra.append("Failures: " + "; ".join(f"{row['Method']} {row['Name']}: {row['Error']} x{row['Occurrences']}"
                                              for row in failed))
    extra.append(f"Whole run: {time.monotonic() - began_run:.0f} s; logs and Locust CSVs in {folder.relative_to(ROOT)}/.")
    report = table(rows, extra)
    print(report)
    (RESULTS / f"load-{stamp}.md").write_text(report)
    total = next(row for row in rows if row["Name"] == "Aggregated")
    if int(total["Failure Count"]) or locust.returncode not in (0, 1):
        sys.exit(1)


if __name__ == "__main__":
    main()
