"""The outbox pump: a thread in each web process that moves committed jobs on at once.

Without Redis it runs the jobs itself (the embedded default: nothing else to install): jobs that call a
model on a pool of threads of their own (workers.job_pool), everything else (and the clock's steps) in
the pump's thread, so a slow model never holds up a challenge opening or another person's job. With Redis
it dispatches them to RQ; RQ cron's sweep (workers.periodic) does the same every few seconds as a backstop,
so a pump that dies with its process loses nothing. Either way, jobs past their deadline end failed here.
"""
from __future__ import annotations

import logging
import os
import threading
import time

from redis.exceptions import RedisError
from sqlmodel import Session

from webapp.db import get_engine
from webapp.jobs import PROMPT, SUMMARY, names_waiting_on
from webapp.settings import Settings

from . import dispatch, periodic
from .job_pool import JobPool
from .runner import fail_overdue, run_outbox_job

log = logging.getLogger(__name__)


class OutboxPump:
    def __init__(self, settings: Settings, poll_seconds: float = 1.0, tick_seconds: float = 60.0):
        self.settings = settings
        self.poll_seconds = poll_seconds
        self.tick_seconds = tick_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._queue = dispatch.job_queue(settings) if settings.uses_redis else None
        self._models = None if settings.uses_redis else JobPool(settings.llm_concurrency, on_done=self.wake)
        self._last_tick = 0.0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="outbox-pump", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once(wait=False)
            except Exception:  # noqa: BLE001 - the pump must outlive a database or Redis hiccup
                log.exception("outbox pump round failed; retrying")
            self._wake.wait(self.poll_seconds)
            self._wake.clear()

    def run_once(self, wait: bool = True) -> int:
        """One round: release lost runs, end overdue ones, then run (or dispatch) every due job. Returns jobs
        moved on. Model jobs go to the pool; `wait`: return only once they have run (the loop does not wait)."""
        engine = get_engine(self.settings.database_url)
        with Session(engine, expire_on_commit=False) as session:
            if time.monotonic() - self._last_tick >= self.tick_seconds and not self.settings.uses_redis:
                # With Redis, RQ cron runs the tick; without it, the pump is the scheduler.
                self._last_tick = time.monotonic()
                periodic.run_tick(session)
            dispatch.release_stale(session, self.settings)
            fail_overdue(session, self.settings)
            if self._queue is not None:
                try:
                    return dispatch.dispatch_pending(session, self.settings, self._queue)
                except RedisError as error:
                    log.warning("Redis unavailable: %s", error)
                    return 0
            in_pool = self._models.running()
            model_names = names_waiting_on(PROMPT, SUMMARY)
            model_jobs = [job for job in dispatch.due_jobs(session, self._models.size + len(in_pool), names=model_names)
                          if job.id not in in_pool]
            other_jobs = dispatch.due_jobs(session, other_than=model_names)
        handed = [future for job in model_jobs
                  if (future := self._models.submit(job.id, self.settings.database_url, block=False)) is not None]
        for job in other_jobs:
            run_outbox_job(job.id, self.settings.database_url)
        if wait:
            for future in handed:
                future.result()
        return len(handed) + len(other_jobs)


# One pump per database and queue in each process; a forked child starts its own.
_pumps: dict[tuple[int, str, str | None], OutboxPump] = {}
_lock = threading.Lock()


def _key(settings: Settings) -> tuple[int, str, str | None]:
    return (os.getpid(), settings.database_url, settings.redis_url)


def ensure_started(settings: Settings) -> OutboxPump:
    """Start this process's pump for these settings once."""
    key = _key(settings)
    pump = _pumps.get(key)
    if pump is not None:
        return pump
    with _lock:
        if key not in _pumps:
            _pumps[key] = OutboxPump(settings)
            _pumps[key].start()
        return _pumps[key]


def stop(settings: Settings) -> None:
    pump = _pumps.pop(_key(settings), None)
    if pump is not None:
        pump.stop()


def wake() -> None:
    pid = os.getpid()
    for (owner, _, _), pump in list(_pumps.items()):
        if owner == pid:
            pump.wake()
