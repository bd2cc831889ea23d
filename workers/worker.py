"""The worker class to run: `rq worker -w workers.worker.LearnloopWorker --url $REDIS_URL learnloop`.

It runs jobs in the worker process itself instead of forking a work horse per job. Learnloop's jobs
are short database-and-HTTP tasks; a fork per job, plus rebuilding the LLM client's TLS context in
each child, cost about 0.2 s a job, ten times the job itself (bench/reflection_bench.py measures it).
What the fork would protect against is covered elsewhere: the outbox row owns the job's state, so a
worker that dies mid-job (even by SIGKILL) leaves a row that the stale sweep hands out again, and
the job is written to be safe to run twice. RQ's job timeout still applies (SIGALRM in this process).
The job code is imported here, once, before the first job.
"""
from rq.worker import SimpleWorker

from .registry import JOBS, resolve
from .runner import run_outbox_job  # noqa: F401 - imported for its side effect: a warm worker

for _name in JOBS:
    resolve(_name)


class LearnloopWorker(SimpleWorker):
    """RQ's in-process worker with Learnloop's job code preloaded."""
