"""Outbound deliveries on SQLite and PostgreSQL: how fast events become delivery rows, and how fast the
`outbound.deliver` job sends them to a local HTTP receiver.

Written: 2,000 completions each told to 2 webhook endpoints (4,000 deliveries with their outbox jobs), one
transaction per completion, as a request would commit. Delivered: those jobs run one after the other as a worker
runs them (claim, signed POST to a local server that answers 200, attempt logged, done). Prints a table.
"""
from __future__ import annotations

import os
import tempfile
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SCRATCH = Path(tempfile.mkdtemp(prefix="learnloop-outbound-bench-"))
os.environ.setdefault("SECRET_KEY", "bench-secret")
os.environ["PUBLIC_URL"] = "http://learnloop.bench"

from sqlmodel import Session, select  # noqa: E402

from webapp.db import get_engine  # noqa: E402
from webapp.models import (  # noqa: E402
    Challenge, ChallengeStatus, Completion, Mission, MissionKind, OutboxJob, Team, User, WebhookEndpoint, utcnow,
)
from webapp.outbound import events  # noqa: E402
from workers.runner import run_outbox_job  # noqa: E402

from . import seed as scale  # noqa: E402

COMPLETIONS = 2000
ENDPOINTS = 2


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def _world(session: Session, url: str) -> tuple[list[Completion], Mission, Challenge]:
    now = utcnow()
    team = Team(name="Bench", slug="bench")
    user = User(email="bench@corp.example", display_name="Bench", password_hash="x")
    session.add_all([team, user])
    session.flush()
    challenge = Challenge(slug="bench", title="Bench", starts_at=now - timedelta(days=1),
                          ends_at=now + timedelta(days=1), status=ChallengeStatus.RUNNING)
    session.add(challenge)
    session.flush()
    mission = Mission(challenge_id=challenge.id, slug="m", title="Mission", kind=MissionKind.LEARN, points=10)
    session.add(mission)
    session.flush()
    completions = [Completion(idempotency_key=f"b{n}", mission_id=mission.id, challenge_id=challenge.id,
                              user_id=user.id, team_id=team.id, points_awarded=10) for n in range(COMPLETIONS)]
    session.add_all(completions)
    session.add_all([WebhookEndpoint(url=url, events=["completion.recorded"], secret=f"whsec_{n}")
                     for n in range(ENDPOINTS)])
    session.commit()
    return completions, mission, challenge


def measure(backend: str, database_url: str, receiver_url: str) -> dict:
    with Session(get_engine(database_url), expire_on_commit=False) as session:
        completions, mission, challenge = _world(session, receiver_url)
        began = time.perf_counter()
        for completion in completions:
            events.completion_recorded(session, completion, mission, challenge)
            session.commit()
        written_s = time.perf_counter() - began
        job_ids = list(session.exec(select(OutboxJob.id).where(OutboxJob.name == "outbound.deliver")))
        # The same events again (to fresh keys) in one transaction, as a backfill or an import writes them.
        began = time.perf_counter()
        for completion in completions:
            # A copy outside the session with another id: only the delivery keys differ.
            copy = Completion(id=completion.id + 10_000_000, user_id=completion.user_id, team_id=completion.team_id,
                              created_at=completion.created_at)
            events.completion_recorded(session, copy, mission, challenge)
        session.flush()
        batched_s = time.perf_counter() - began
        session.rollback()
    began = time.perf_counter()
    statuses = [run_outbox_job(job_id, database_url) for job_id in job_ids]
    delivered_s = time.perf_counter() - began
    return {"backend": backend, "deliveries": len(job_ids), "written_per_s": len(job_ids) / written_s,
            "batched_per_s": len(job_ids) / batched_s,
            "delivered_per_s": statuses.count("done") / delivered_s, "done": statuses.count("done")}


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    receiver_url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        results = scale.on_both_backends(SCRATCH, "learnloop_bench_outbound", measure, receiver_url)
    finally:
        server.shutdown()
    print(f"\nOutbound: {COMPLETIONS:,} completions told to {ENDPOINTS} webhook endpoints, one transaction each; "
          "deliveries sent one after the other by the job to a local receiver")
    print("| backend | deliveries | written/s, a transaction per completion | written/s, one transaction | "
          "delivered/s (signed POST, attempt logged) |")
    print("|---|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['backend']} | {r['deliveries']:,} ({r['done']:,} done) | {r['written_per_s']:,.0f} | "
              f"{r['batched_per_s']:,.0f} | {r['delivered_per_s']:,.0f} |")


if __name__ == "__main__":
    main()
