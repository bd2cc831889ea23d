"""Job names (as written in the outbox) mapped to the functions that do the work.

Each function takes the job's session first and its payload as keyword arguments, and is safe to run
twice. Names are strings so that a web process never imports worker code to ask for work.
"""
from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

JOBS: dict[str, str] = {
    "notifications.send": "workers.notifications:send_notification",
    "reflection.prompt_for_completion": "workers.reflection:prompt_for_completion",
    "reflection.prompt_for_period": "workers.reflection:prompt_for_period",
    "summaries.summarise_team": "workers.summaries:summarise_team",
    "challenges.closed": "workers.challenge_close:run_end_of_challenge",
    "email.send": "workers.mail:send_email",
    "people.import": "workers.people_import:run_people_import",
    "outbound.deliver": "workers.outbound:deliver",
}

# Kinds of job by what they wait on: their deadlines differ (workers.deadlines), and the jobs that call a model
# run on threads of their own (workers.model_pool) so a slow model holds up no other job.
PROMPT_JOBS = frozenset({"reflection.prompt_for_completion", "reflection.prompt_for_period"})
SUMMARY_JOBS = frozenset({"summaries.summarise_team"})
MODEL_JOBS = PROMPT_JOBS | SUMMARY_JOBS


def resolve(name: str) -> Callable:
    """The function for job `name`. Raises KeyError for a name nobody registered."""
    module_name, _, attr = JOBS[name].partition(":")
    return getattr(import_module(module_name), attr)
