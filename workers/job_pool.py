"""Threads of their own for the jobs that call a model, so a slow model holds up no other job.

A model job spends seconds waiting on one HTTP answer and almost no CPU, so one process can keep many of
them in flight. The embedded pump hands model jobs to its process's pool and keeps running the clock's
steps and the other jobs itself; an rq worker (workers.worker.LearnloopWorker) hands them to its pool and
takes the next RQ job at once, so two workers overlap up to 2 x LLM_CONCURRENCY calls. The outbox row still
owns each job's state: a process that dies with jobs in its pool leaves rows the stale sweep hands out again.
"""
from __future__ import annotations

import atexit
import logging
import threading
from concurrent.futures import Future

from webapp.jobs import PROMPT, SUMMARY, names_waiting_on

from .runner import run_outbox_job

log = logging.getLogger(__name__)


class JobPool:
    """At most `size` outbox jobs running at once, each on a thread of its own; each job id at most once.

    Daemon threads, not a ThreadPoolExecutor: stopping `make run` must not wait for a model that hangs (the
    abandoned row ends failed by its deadline). An rq worker waits for its jobs on exit (`enable_in_worker`)."""

    def __init__(self, size: int, name: str = "model-job", on_done=None):
        self.size = size
        self.name = name
        self._on_done = on_done  # called after each job: a freed thread can take the next one
        self._slots = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._running: dict[int, Future] = {}

    def running(self) -> set[int]:
        with self._lock:
            return set(self._running)

    def submit(self, job_id: int, database_url: str | None = None, block: bool = True) -> Future | None:
        """Run job `job_id` on a thread of the pool. Waits for a free slot if `block`, else returns None when
        full (or when the job is already in this pool)."""
        with self._lock:
            if job_id in self._running:
                return None
        if not self._slots.acquire(blocking=block):
            return None
        with self._lock:
            if job_id in self._running:  # handed over by another caller meanwhile
                self._slots.release()
                return None
            future: Future = Future()
            self._running[job_id] = future
        threading.Thread(target=self._run, args=(job_id, database_url, future), name=f"{self.name}-{job_id}",
                         daemon=True).start()
        return future

    def _run(self, job_id: int, database_url: str | None, future: Future) -> None:
        try:
            future.set_result(run_outbox_job(job_id, database_url))
        except Exception as error:  # noqa: BLE001 - run_outbox_job records job errors; this is the database failing
            log.exception("model job %s could not be run; the stale sweep hands it out again", job_id)
            future.set_exception(error)
        finally:
            with self._lock:
                self._running.pop(job_id, None)
                self._idle.notify_all()
            self._slots.release()
            if self._on_done is not None:
                self._on_done()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until no job runs; False if `timeout` passed first."""
        with self._lock:
            return self._idle.wait_for(lambda: not self._running, timeout)


# This process's pool for rq workers: made by LearnloopWorker; absent in a forking `rq worker`, where a
# work horse exits after each job and would take pool threads with it.
_worker_pool: JobPool | None = None


def enable_in_worker(size: int) -> JobPool:
    """This worker's pool. The process ends only once its jobs have (a warm shutdown, or the end of a burst)."""
    global _worker_pool
    if _worker_pool is None:
        _worker_pool = JobPool(size)
        atexit.register(_worker_pool.wait_idle)
    return _worker_pool


def run_in_worker(job_id: int, job_name: str | None = None) -> str:
    """RQ entry point: a model job goes to this worker's pool (waiting for a free thread), anything else runs here."""
    if _worker_pool is not None and job_name in names_waiting_on(PROMPT, SUMMARY):
        _worker_pool.submit(job_id)
        return "handed to the model pool"
    return run_outbox_job(job_id)
