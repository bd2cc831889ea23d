"""The worker class to run: `rq worker -w workers.worker.LearnloopWorker --url $REDIS_URL learnloop`.

It imports the job code once in the parent process, so each forked work horse starts warm
instead of importing Flask, SQLAlchemy and the models again for every job (about a second each).
Engines are still made per process (webapp.db keys them by pid), so no connection crosses a fork.
"""
from rq.worker import Worker

from .registry import JOBS, resolve
from .runner import run_outbox_job  # noqa: F401 - imported for its side effect: warm work horses

for _name in JOBS:
    resolve(_name)


class LearnloopWorker(Worker):
    """RQ's forking worker with Learnloop's job code preloaded."""
