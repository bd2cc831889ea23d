"""Reflection benchmark: 1,000 prompt jobs drained by two real rq workers against the local fake OpenAI
server, answering instantly and then in 2 s as a real model does (jobs/s, p95 completion -> prompt visible
with the whole backlog queued), p95 completion -> prompt visible on an idle queue at 2 s per answer
(completions arriving one at a time), and input tokens per summary call for teams with 5, 50 and 500 shared
reflections (each call must stay under the budget).
Run alone: `python -m bench.reflection_bench [jobs]`.
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, select

JOBS = 1000
MODEL_LATENCY = 2.0  # seconds per answer, as a hosted model answers a short structured prompt
IDLE_PROMPTS = 60
RESULTS = Path(__file__).resolve().parent / "results"


def _seed(session, jobs: int) -> None:
    from webapp.models import (Challenge, ChallengeStatus, ChallengeTeam, Completion, Mission, MissionKind, Team,
                               User, utcnow)
    from webapp.jobs import enqueue

    team = Team(name="Bench", slug="bench")
    now = utcnow()
    challenge = Challenge(slug="bench", title="Bench challenge", starts_at=now - timedelta(days=1),
                          ends_at=now + timedelta(days=6), status=ChallengeStatus.RUNNING)
    session.add_all([team, challenge])
    session.flush()
    session.add(ChallengeTeam(challenge_id=challenge.id, team_id=team.id))
    mission = Mission(challenge_id=challenge.id, slug="m", title="Share a mistake", kind=MissionKind.EXPERIMENT, points=10,
                      max_completions=None)
    users = [User(email=f"b{index}@example.com", display_name=f"Bench {index}", password_hash="x") for index in range(50)]
    session.add(mission)
    session.add_all(users)
    session.flush()
    for index in range(jobs):
        completion = Completion(idempotency_key=uuid.uuid4().hex, mission_id=mission.id, challenge_id=challenge.id,
                                user_id=users[index % 50].id, team_id=team.id, evidence_text="notes")
        session.add(completion)
        session.flush()
        enqueue(session, "reflection.prompt_for_completion", f"reflection-prompt:completion:{completion.id}",
                completion_id=completion.id)
    session.commit()


def _workers(redis_url: str, env: dict, burst: bool) -> list[subprocess.Popen]:
    from tests.support import ROOT, rq_command

    mode = ["--burst"] if burst else []
    return [subprocess.Popen(rq_command("worker", *mode, "-w", "workers.worker.LearnloopWorker", "--url", redis_url,
                                        "bench"), env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL) for _ in range(2)]


def _fake(latency: float):
    from tests.llm.fake_openai import FakeOpenAI

    return FakeOpenAI(mode="slow" if latency else "good", slow_seconds=latency).start()


def bench_jobs(jobs: int = JOBS, latency: float = 0.0) -> dict:
    from tests.support import redis_server, worker_env
    from webapp.db import get_engine
    from webapp.migrate import upgrade
    from webapp.models import Completion, PromptStatus, ReflectionPrompt
    from webapp.settings import load_settings
    from workers import dispatch

    fake = _fake(latency)
    with tempfile.TemporaryDirectory() as folder, redis_server(Path(folder)) as redis:
        url = f"sqlite:///{folder}/bench.db"
        upgrade(url)
        settings = load_settings(database_url=url, redis_url=redis.url, rq_queue="bench")
        with Session(get_engine(url), expire_on_commit=False) as session:
            _seed(session, jobs)
            queue = dispatch.job_queue(settings)
            while dispatch.dispatch_pending(session, settings, queue, limit=500):
                pass
        env = worker_env(url, redis.url, "bench", OPENAI_API_KEY="bench", OPENAI_BASE_URL=fake.base_url,
                         LLM_MAX_RETRIES="0")
        started = time.perf_counter()
        workers = _workers(redis.url, env, burst=True)
        for worker in workers:
            worker.wait(1800)
        elapsed = time.perf_counter() - started
        with Session(get_engine(url)) as session:
            rows = session.exec(select(Completion.created_at, ReflectionPrompt.ready_at).join(
                ReflectionPrompt, ReflectionPrompt.completion_id == Completion.id)
                .where(ReflectionPrompt.status == PromptStatus.READY)).all()
    fake.stop()
    # Completion rows were all written before the workers started: the delay includes the wait in the queue.
    delays = sorted((ready - created).total_seconds() for created, ready in rows)
    return {"jobs": jobs, "latency": latency, "ready": len(rows), "seconds": elapsed, "jobs_per_s": len(rows) / elapsed,
            "p95_s": delays[int(0.95 * (len(delays) - 1))] if delays else float("nan"),
            "model_requests": len(fake.requests)}


def bench_idle(prompts: int = IDLE_PROMPTS, latency: float = MODEL_LATENCY) -> dict:
    """Completions arriving one at a time (0.25 s apart, far below capacity) while two workers wait: each
    is committed with its job and handed to RQ at once, as the web process's pump does."""
    from redis import Redis
    from rq import Worker

    from tests.support import redis_server, worker_env
    from webapp.db import get_engine
    from webapp.jobs import enqueue
    from webapp.migrate import upgrade
    from webapp.models import Completion, Mission, PromptStatus, ReflectionPrompt, Team, User
    from webapp.settings import load_settings
    from workers import dispatch

    fake = _fake(latency)
    with tempfile.TemporaryDirectory() as folder, redis_server(Path(folder)) as redis:
        url = f"sqlite:///{folder}/bench.db"
        upgrade(url)
        settings = load_settings(database_url=url, redis_url=redis.url, rq_queue="bench")
        env = worker_env(url, redis.url, "bench", OPENAI_API_KEY="bench", OPENAI_BASE_URL=fake.base_url,
                         LLM_MAX_RETRIES="0")
        with Session(get_engine(url), expire_on_commit=False) as session:
            _seed(session, 0)
            mission = session.exec(select(Mission)).one()
            team = session.exec(select(Team)).one()
            users = session.exec(select(User)).all()
            queue = dispatch.job_queue(settings)
            workers = _workers(redis.url, env, burst=False)
            try:
                connection = Redis.from_url(redis.url)
                while len(Worker.all(connection=connection)) < 2:
                    time.sleep(0.1)
                for index in range(prompts):
                    completion = Completion(idempotency_key=uuid.uuid4().hex, mission_id=mission.id,
                                            challenge_id=mission.challenge_id, user_id=users[index % len(users)].id,
                                            team_id=team.id, evidence_text="notes")
                    session.add(completion)
                    session.flush()
                    enqueue(session, "reflection.prompt_for_completion",
                            f"reflection-prompt:completion:{completion.id}", completion_id=completion.id)
                    session.commit()
                    dispatch.dispatch_pending(session, settings, queue)
                    time.sleep(0.25)
                give_up = time.monotonic() + 60
                query = select(Completion.created_at, ReflectionPrompt.ready_at).join(
                    ReflectionPrompt, ReflectionPrompt.completion_id == Completion.id).where(
                    ReflectionPrompt.status == PromptStatus.READY)
                while len(rows := session.exec(query).all()) < prompts and time.monotonic() < give_up:
                    session.rollback()
                    time.sleep(0.2)
            finally:
                for worker in workers:
                    worker.terminate()
                for worker in workers:
                    worker.wait(60)
    fake.stop()
    delays = sorted((ready - created).total_seconds() for created, ready in rows)
    return {"prompts": prompts, "ready": len(rows), "latency": latency, "delays": delays,
            "p50_s": delays[len(delays) // 2] if delays else float("nan"),
            "p95_s": delays[int(0.95 * (len(delays) - 1))] if delays else float("nan")}


def bench_tokens() -> list[dict]:
    from workers import summaries, tokens
    from workers.offline_writer import OfflineWriter

    class Counting:
        def __init__(self):
            self.inner, self.name, self.sizes = OfflineWriter(), "offline", []

        def summarise(self, request):
            self.sizes.append(summaries.input_tokens(request))
            return self.inner.summarise(request)

    rows = []
    for size in (5, 50, 500):
        material = [{"id": index, "author": f"Participant {index % 40 + 1}", "mission": "Share a mistake",
                     "kind": "experiment", "text": f"I learned lesson {index} about releasing on Fridays. Pairing on "
                     f"the checklist worked well. Next time I will try a smaller change {index}.", "evidence": "notes"}
                    for index in range(1, size + 1)]
        writer = Counting()
        summaries.summarise_in_parts(writer, "bench", "Bench challenge", material)
        assert max(writer.sizes) <= tokens.INPUT_BUDGET
        rows.append({"reflections": size, "calls": len(writer.sizes), "max_in": max(writer.sizes),
                     "mean_in": int(statistics.mean(writer.sizes)), "budget": tokens.INPUT_BUDGET})
    return rows


def main(jobs: int = JOBS) -> None:
    from webapp.settings import get_settings

    import os

    lines = ["## Reflection pipeline", "",
             f"Two rq workers (`LearnloopWorker`, LLM_CONCURRENCY={get_settings().llm_concurrency} model jobs in "
             f"flight each), the local fake OpenAI server, SQLite; {os.cpu_count()} cores, load average "
             f"{os.getloadavg()[0]:.1f} when it started.", ""]
    for latency in (0.0, MODEL_LATENCY):
        result = bench_jobs(jobs, latency)
        answering = f"answering in {latency:.0f} s" if latency else "answering instantly"
        lines.append(f"- {result['ready']}/{result['jobs']} reflection-prompt jobs queued at once, fake server "
                     f"{answering}: {result['seconds']:.1f} s, **{result['jobs_per_s']:.1f} jobs/s**, "
                     f"p95 completion -> prompt visible {result['p95_s']:.1f} s ({result['model_requests']} model "
                     "requests; the backlog's wait included)")
    idle = bench_idle()
    lines += [f"- idle queue, {idle['ready']}/{idle['prompts']} completions arriving one at a time, fake server "
              f"answering in {idle['latency']:.0f} s: completion -> prompt visible p50 {idle['p50_s']:.2f} s, "
              f"**p95 {idle['p95_s']:.2f} s** (target: under the model's latency + 1 s = {idle['latency'] + 1:.0f} s)",
              "",
              "| team's shared reflections | summary calls | max input tokens per call | mean | budget |",
              "|---|---|---|---|---|"]
    for row in bench_tokens():
        lines.append(f"| {row['reflections']} | {row['calls']} | {row['max_in']} | {row['mean_in']} | {row['budget']} |")
    text = "\n".join(lines)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "reflection_bench.md").write_text(text + "\n")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else JOBS)
