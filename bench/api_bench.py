"""The JSON API beside the pages it mirrors: leaderboard and complete-mission, on the scale seed's PostgreSQL.

10,000 users, 500 teams, 20 challenges and 100,000 point events (bench.seed, in a database of its own). One
player of challenge 1 reads the leaderboard and completes the benchmark mission (no limit, cooldown or
evidence) both ways: the page (signed-in session, CSRF token; the full leaderboard page and its htmx refresh,
the completion as an htmx POST that returns the updated card) and the API (bearer token; JSON). Requests go
through the app in this process (Flask's test client), so each figure is the server's own cost per request,
without an HTTP client or network. Page and API are measured in alternating rounds, so the ratio compares like
with like on a shared machine; the ratio of medians is the figure to read (API / page: below 1, the API is
cheaper).
"""
from __future__ import annotations

import os
import re
import statistics
import time
import uuid
from datetime import datetime
from pathlib import Path

from . import seed as scale

DB_NAME = os.environ.get("LEARNLOOP_API_BENCH_DB", "learnloop_bench_api")
EVENTS = int(os.environ.get("BENCH_API_EVENTS", "100000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
PER_ROUND = int(os.environ.get("BENCH_API_REQUESTS", "60"))
RESULTS = Path(__file__).resolve().parent / "results"
CHALLENGE = 1
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def _world():
    db = scale.database(DB_NAME)
    scale.recreate(db)
    with scale.progress_bar() as progress:
        scale.seed_world(db, progress)
        scale.add_events(db, 1, EVENTS, progress)
    return db


def _app_and_clients(db):
    from sqlmodel import Session, select

    from webapp import create_app
    from webapp.api.tokens import create_token
    from webapp.db import get_engine
    from webapp.models import Enrolment, Mission, User
    from webapp.settings import load_settings

    settings = load_settings(database_url=db.sqlalchemy_url, secret_key="bench", outbox_pump=False, redis_url=None,
                             api_rate_limit="1000000/minute")
    app = create_app(settings)
    with Session(get_engine(settings.database_url), expire_on_commit=False) as session:
        user_id = session.exec(select(Enrolment.user_id).where(Enrolment.challenge_id == CHALLENGE)
                               .order_by(Enrolment.user_id)).first()
        user = session.get(User, user_id)
        mission = session.exec(select(Mission).where(Mission.challenge_id == CHALLENGE,
                                                     Mission.slug == scale.BENCH_MISSION_SLUG)).one()
        secret = create_token(session, user, "bench", "write", 30, 365).secret
        session.commit()
    page = app.test_client()
    token = CSRF.search(page.get("/login").get_data(as_text=True)).group(1)
    signed_in = page.post("/login", data={"email": user.email, "password": scale.PASSWORD, "csrf_token": token})
    assert signed_in.status_code in (204, 303), signed_in.status_code
    form_token = CSRF.search(page.get("/dashboard").get_data(as_text=True)).group(1)
    return app, page, form_token, secret, mission.id


def _time(call, count: int) -> list[float]:
    times = []
    for _ in range(count):
        start = time.perf_counter()
        status = call()
        times.append((time.perf_counter() - start) * 1000)
        assert status < 400, status
    return times


def measure() -> list[tuple[str, list[float]]]:
    db = _world()
    try:
        app, page, form_token, secret, mission_id = _app_and_clients(db)
        api = app.test_client()
        bearer = {"Authorization": f"Bearer {secret}"}
        htmx = {"HX-Request": "true", "X-CSRFToken": form_token}
        board = f"/play/challenges/{CHALLENGE}/leaderboard"
        calls = {
            "leaderboard, page": lambda: page.get(board).status_code,
            "leaderboard, page htmx refresh": lambda: page.get(board, headers={"HX-Request": "true"}).status_code,
            "leaderboard, API": lambda: api.get(f"/api/v1/challenges/{CHALLENGE}/leaderboard",
                                               headers=bearer).status_code,
            "complete mission, page (htmx)": lambda: page.post(
                f"/play/missions/{mission_id}/complete", headers=htmx,
                data={"evidence_text": "", "evidence_url": "", "idempotency_key": uuid.uuid4().hex}).status_code,
            "complete mission, API": lambda: api.post(
                f"/api/v1/missions/{mission_id}/completions", json={"evidence_text": ""},
                headers={**bearer, "Idempotency-Key": uuid.uuid4().hex}).status_code,
        }
        for call in calls.values():  # warm up: caches, connection pools, templates
            _time(call, 5)
        samples = {name: [] for name in calls}
        for _ in range(ROUNDS):
            for name, call in calls.items():
                samples[name] += _time(call, PER_ROUND)
        return list(samples.items())
    finally:
        scale.drop(db)


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(samples: list[tuple[str, list[float]]]) -> str:
    medians = {name: statistics.median(values) for name, values in samples}
    lines = [f"API benchmark, {datetime.now():%Y-%m-%d %H:%M}: PostgreSQL, {scale.USERS:,} users, {EVENTS:,} point "
             f"events, {ROUNDS} alternating rounds of {PER_ROUND} requests each, in-process (server cost only)",
             "", "| request | p50 ms | p95 ms |", "|---|---:|---:|"]
    lines += [f"| {name} | {statistics.median(values):.1f} | {_p(values, 0.95):.1f} |" for name, values in samples]
    lines += ["", "| ratio of medians (API / page) | |", "|---|---:|",
              f"| leaderboard: API / full page | {medians['leaderboard, API'] / medians['leaderboard, page']:.2f} |",
              f"| leaderboard: API / htmx refresh | "
              f"{medians['leaderboard, API'] / medians['leaderboard, page htmx refresh']:.2f} |",
              f"| complete mission: API / page | "
              f"{medians['complete mission, API'] / medians['complete mission, page (htmx)']:.2f} |"]
    return "\n".join(lines)


def main() -> None:
    text = report(measure())
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"api-{datetime.now():%Y%m%d-%H%M}.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
