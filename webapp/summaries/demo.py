"""Demo material for the review pages: a few reflections one team shared, and a draft summary of them.

The draft is written by the real summary job through the real outbox runner, with the writer the settings
choose: at once with the offline writer (the embedded default), so `make run` has something to review; by
the pump once the app serves when a model is configured, so start-up never waits for a model.
"""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from ..models import (
    Challenge, Completion, LessonSummary, OutboxJob, PromptStatus, Reflection, ReflectionPrompt, Team, Visibility,
    utcnow,
)

SHARED = [
    "I learned that reading another team's postmortem first saves hours. Next time I will try the checklist "
    "they used before deploying.",
    "Pairing on the flaky test worked better than debugging alone. The mistake was that we forgot to pin the "
    "clock in the test, so it failed at midnight.",
    "I tried the new profiler and realised our cache was never hit. I wonder whether other services have the "
    "same problem?",
    "Writing down the rollback steps before the release helped the whole team stay calm. We plan to make it "
    "a habit for every deploy.",
]
PRIVATE = "I was nervous about asking for help, and that mistake cost me a whole day of work."


def add_review_demo(session: Session, team_slug: str = "platform") -> LessonSummary | None:
    """Shared (and one private) reflections of the team, then its draft summary; commits."""
    from ..jobs import run_now
    from ..settings import get_settings
    from .requests import outbox_key, request_summary

    team = session.exec(select(Team).where(Team.slug == team_slug)).first()
    challenge = session.exec(select(Challenge).order_by(col(Challenge.id))).first()
    if team is None or challenge is None:
        return None
    completions = session.exec(select(Completion).where(
        Completion.team_id == team.id, Completion.challenge_id == challenge.id).order_by(col(Completion.id))).all()
    authors = {completion.user_id: completion for completion in completions}  # one reflection per person first
    picks = list(authors.values()) + [c for c in completions if c not in authors.values()]
    now = utcnow()
    for index, body in enumerate([*SHARED, PRIVATE]):
        if not picks:
            break
        completion = picks[index % len(picks)]
        if session.exec(select(ReflectionPrompt).where(ReflectionPrompt.completion_id == completion.id)).first():
            continue
        prompt = ReflectionPrompt(work_key=f"completion:{completion.id}", user_id=completion.user_id,
                                  challenge_id=challenge.id, completion_id=completion.id, status=PromptStatus.ANSWERED,
                                  text="**What happened?** …", writer="offline", ready_at=now)
        session.add(prompt)
        session.flush()
        session.add(Reflection(prompt_id=prompt.id, user_id=completion.user_id, challenge_id=challenge.id,
                               team_id=team.id, body=body, created_at=now - timedelta(days=len(SHARED) - index),
                               visibility=Visibility.PRIVATE if body == PRIVATE else Visibility.TEAM))
    summary = request_summary(session, team_id=team.id, challenge_id=challenge.id, trigger="on_demand",
                              work_key=f"demo:{challenge.id}:{team.id}")
    session.commit()
    job = session.exec(select(OutboxJob).where(OutboxJob.key == outbox_key(summary))).first()
    if job is not None and not get_settings().uses_llm:
        # The offline writer answers at once. A model may be slow or silent, and start-up never waits for one:
        # its job stays in the outbox for the pump, and the review page shows the draft being written.
        run_now(job, session.get_bind().url.render_as_string(hide_password=False))
    session.refresh(summary)
    return summary
