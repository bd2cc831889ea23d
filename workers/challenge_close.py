"""The end-of-challenge work, run once when a challenge closes (by the clock or by an admin).

END_OF_CHALLENGE_STEPS lists "module:function(session, challenge)" entries run in order in the job's
transaction. Each must be safe to run twice. The reflection area adds the final team summaries here.
"""
from __future__ import annotations

from importlib import import_module

from sqlmodel import Session, select

from webapp.models import Challenge, Enrolment, OutboxJob
from webapp.notifications.delivery import store

END_OF_CHALLENGE_STEPS: list[str] = [
    "workers.challenge_close:notify_participants",
    "workers.summaries:summarise_at_close",
    "webapp.monitoring.skills:invite_after_assessment",
]


def run_end_of_challenge(session: Session, *, job: OutboxJob, challenge_id: int) -> None:
    """Job `challenges.closed`: run every end-of-challenge step for the challenge."""
    challenge = session.get(Challenge, challenge_id)
    if challenge is None:  # deleted since: nothing left to wrap up
        return
    for path in END_OF_CHALLENGE_STEPS:
        module_name, _, attr = path.partition(":")
        getattr(import_module(module_name), attr)(session, challenge)


def notify_participants(session: Session, challenge: Challenge) -> None:
    """Tell everyone enrolled that the challenge closed; a second run adds nothing."""
    enrolled = session.exec(select(Enrolment.user_id).where(Enrolment.challenge_id == challenge.id).distinct()).all()
    store(session, "challenge_ending", enrolled,
          f"“{challenge.title}” has closed. Thank you for taking part: take a moment to look back at what you learned.",
          source=f"challenge-closed:{challenge.id}", link="/dashboard")
