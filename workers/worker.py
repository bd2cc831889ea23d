"""The worker class to run: `rq worker -w workers.worker.LearnloopWorker --url $REDIS_URL learnloop`.

It runs jobs in the worker process itself instead of forking a work horse per job. Learnloop's jobs
are short database-and-HTTP tasks; a fork per job, plus rebuilding the LLM client's TLS context in
each child, cost about 0.2 s a job, ten times the job itself (bench/reflection_bench.py measures it).
What the fork would protect against is covered elsewhere: the outbox row owns the job's state, so a
worker that dies mid-job (even by SIGKILL) leaves a row that the stale sweep hands out again, and
the job is written to be safe to run twice. RQ's job timeout still applies (SIGALRM in this process).
The job code is imported here (webapp.jobs.load), once, before the first job.

Jobs that call a model are handed to a pool of LLM_CONCURRENCY threads in this process (workers.job_pool),
so the worker takes its next job while a model thinks. On a warm shutdown (SIGTERM) the process ends only
once its pool's jobs have finished, each by its deadline.
"""
from rq.worker import SimpleWorker

from webapp.jobs import load
from webapp.settings import get_settings

from . import job_pool
from .runner import run_outbox_job  # noqa: F401 - imported for its side effect: a warm worker

load()


class LearnloopWorker(SimpleWorker):
    """RQ's in-process worker with Learnloop's job code preloaded and a thread pool for model jobs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        job_pool.enable_in_worker(get_settings().llm_concurrency)
