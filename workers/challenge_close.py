"""The end-of-challenge work, run once when a challenge closes (by the clock or by an admin).

Steps declared `@when_challenge_closes` (webapp.jobs) run in order in the job's transaction; each must be safe
to run twice (the final team summaries, the invitation to the after self-assessment, the notice below).
"""
from __future__ import annotations

from sqlmodel import Session, select

from webapp.jobs import CHALLENGE_CLOSED, closing_steps, job, when_challenge_closes
from webapp.models import Challenge, Enrolment, OutboxJob
from webapp.notifications.delivery import store

@job(CHALLENGE_CLOSED)
def run_end_of_challenge(session: Session, *, job: OutboxJob, challenge_id: int) -> None:
    """Job `challenges.closed`: run every end-of-challenge step for the challenge."""
    challenge = session.get(Challenge, challenge_id)
    if challenge is None:  # deleted since: nothing left to wrap up
        return
    for step in closing_steps():
        step(session, challenge)


@when_challenge_closes
def notify_participants(session: Session, challenge: Challenge) -> None:
    """Tell everyone enrolled that the challenge closed; a second run adds nothing."""
    enrolled = session.exec(select(Enrolment.user_id).where(Enrolment.challenge_id == challenge.id).distinct()).all()
    store(session, "challenge_ending", enrolled,
          f"“{challenge.title}” has closed. Thank you for taking part: take a moment to look back at what you learned.",
          source=f"challenge-closed:{challenge.id}", link="/dashboard")
