"""Background work: the job names, how the web side asks for a job, and where each job is declared.

Who owns what:
- The outbox row (`OutboxJob`) owns a job's state, its attempts, its backoff and its deadline
  (workers.runner). It is written in the caller's transaction, so a job exists only if its cause was committed.
- RQ only carries a row to a worker: no RQ retries, no RQ scheduling beyond `rq cron`'s tick and sweep
  (workers.cron). Without Redis, the in-process pump carries it instead, with the same rules.
- Each job is declared where it is written, with `@job(NAME, on_failure=..., waits_on=...)`; the clock's
  once-a-minute steps with `@every_minute`, the end-of-challenge steps with `@when_challenge_closes`.
  `load()` imports the modules that declare them: the one place the web package imports worker code.

The web side asks for work with `enqueue(session, NAME, key, **ids)` only, NAME being one of the constants below.
The caller builds the key from the cause it knows (a completion's id, a summary and its revision, a retry's
count), so asking twice for the same cause gives one job and a new cause a new one.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session, select

from .db import AfterCommit
from .models import JobStatus, OutboxJob, utcnow

# Job names, as written in the outbox.
NOTIFY = "notifications.send"
SEND_EMAIL = "email.send"
PROMPT_FOR_COMPLETION = "reflection.prompt_for_completion"
PROMPT_FOR_PERIOD = "reflection.prompt_for_period"
SUMMARISE_TEAM = "summaries.summarise_team"
CHALLENGE_CLOSED = "challenges.closed"
PEOPLE_IMPORT = "people.import"
DELIVER_OUTBOUND = "outbound.deliver"

# What a job waits on: its deadline differs (workers.deadlines), and jobs that call a model run on threads of
# their own (workers.job_pool) so a slow model holds up no other job.
PROMPT, SUMMARY, OTHER = "prompt", "summary", "other"


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable  # run(session, *, job, **payload); safe to run twice
    on_failure: Callable | None = None  # on_failure(session, job, reason), once the job has failed for good
    waits_on: str = OTHER


_jobs: dict[str, Job] = {}
_every_minute: list[Callable] = []
_when_closed: list[Callable] = []


def job(name: str, *, on_failure: Callable | None = None, waits_on: str = OTHER) -> Callable:
    """Declare the decorated function as job `name`."""
    def declare(function: Callable) -> Callable:
        _jobs[name] = Job(name, function, on_failure, waits_on)
        return function
    return declare


def every_minute(step: Callable) -> Callable:
    """Declare `step(session)` a once-a-minute step: it moves the product on by the clock."""
    if step not in _every_minute:
        _every_minute.append(step)
    return step


def when_challenge_closes(step: Callable) -> Callable:
    """Declare `step(session, challenge)` an end-of-challenge step; it must be safe to run twice."""
    if step not in _when_closed:
        _when_closed.append(step)
    return step


_loaded: list = []
_loading = threading.RLock()


def load() -> list:
    """Import every module that declares jobs or steps (once). Their order is the order the steps run in."""
    with _loading:
        if _loaded:
            return _loaded
        from workers import challenge_close, mail, notifications, outbound, people_import, reflection, summaries

        from .challenges import lifecycle
        from .monitoring import rollups, skills
        from .notifications import digest, nudges
        from .outbound import chat
        from .play import approvals
        from .summaries import requests

        _loaded.extend([reflection, challenge_close, requests, lifecycle, rollups, approvals, chat, nudges, digest,
                        skills, summaries, notifications, mail, people_import, outbound])
    return _loaded


def _in_load_order(steps: list[Callable]) -> list[Callable]:
    order = {module.__name__: index for index, module in enumerate(load())}
    return sorted(steps, key=lambda step: order.get(step.__module__, len(order)))


def declared(name: str) -> Job:
    """Job `name`. Raises KeyError for a name nobody declared."""
    load()
    return _jobs[name]


def all_declared() -> dict[str, Job]:
    load()
    return _jobs


def names_waiting_on(*kinds: str) -> frozenset[str]:
    return frozenset(name for name, declaration in all_declared().items() if declaration.waits_on in kinds)


def minute_steps() -> list[Callable]:
    return _in_load_order(_every_minute)


def closing_steps() -> list[Callable]:
    return _in_load_order(_when_closed)


# After a commit that wrote outbox rows, wake this process's pump so the job starts at once.
_listeners = []


def on_outbox_commit(callback) -> None:
    if callback not in _listeners:
        _listeners.append(callback)


def _wake_listeners() -> None:
    for callback in _listeners:
        callback()


_outbox_written = AfterCommit("outbox_written", _wake_listeners)


def enqueue(session: Session, name: str, key: str, *, fresh: bool = False, **payload) -> OutboxJob:
    """Add job `name` with `payload` to the session's transaction. The same `key` twice gives one job.

    `fresh`: the key names a row inserted in this same transaction, so no job can have it yet and the
    look-up is skipped (the unique key still guards it)."""
    if not fresh:
        existing = session.exec(select(OutboxJob).where(OutboxJob.key == key)).first()
        if existing is not None:
            return existing
    job = OutboxJob(name=name, key=key, payload=payload)
    session.add(job)
    _outbox_written.mark(session)
    return job


def retry(session: Session, job: OutboxJob) -> None:
    """Give a failed job a fresh set of attempts, rate-limit waits and deadline (a person asked for it from a page)."""
    job.status = JobStatus.PENDING
    job.attempts = 0
    job.rate_limit_waits = 0
    job.last_error = None
    job.available_at = job.started_at = utcnow()
    job.finished_at = None
    session.add(job)
    _outbox_written.mark(session)


def waiting_count(session: Session) -> int:
    """Jobs written and not yet taken by a run (for /healthz)."""
    from sqlalchemy import func

    return session.exec(
        select(func.count()).select_from(OutboxJob).where(OutboxJob.status.in_([JobStatus.PENDING, JobStatus.QUEUED]))
    ).one()


def redis_connection(settings):
    from redis import Redis

    # Short timeouts: during an outage the pump gives up fast and the rows simply wait.
    return Redis.from_url(settings.redis_url, socket_connect_timeout=1, socket_timeout=5)


def job_queue(settings, connection=None):
    """The RQ queue that carries outbox rows to the workers."""
    from rq import Queue

    return Queue(settings.rq_queue, connection=connection or redis_connection(settings))


def run_now(job: OutboxJob, database_url: str) -> str:
    """Run committed `job` in this process at once, by the same rules as any run (demo data at start-up)."""
    from workers.runner import run_outbox_job

    return run_outbox_job(job.id, database_url)


def wake_pump_on_commit() -> None:
    """After each commit that wrote jobs, wake this process's pump (workers.pump), which carries them at once."""
    from workers import pump

    on_outbox_commit(pump.wake)


def start_pump(settings) -> None:
    """Start this process's pump for `settings` once: it runs (or hands to RQ) every committed job."""
    from workers import pump

    pump.ensure_started(settings)
