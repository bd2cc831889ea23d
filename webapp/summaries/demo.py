"""Demo material for the review pages: reflections one team shared, a published summary in the library, and
one draft summary for the lead to review.

The draft is the one the summary cadence asks for (same work key, written by the real summary job through
the real outbox runner), so the worker's first tick finds it already there instead of writing a second
draft of the same reflections for the same team. The reflections are dated inside the cadence's last
finished period for that reason. With the offline writer (the embedded default) both summaries are written
at once, so `make run` has something to read and review; with a model configured the jobs stay in the
outbox for the pump (start-up never waits for a model), and only the draft is asked for: nothing is published.
"""
from __future__ import annotations

from sqlmodel import Session, col, select

from ..models import (
    Challenge, Completion, LessonSummary, Membership, OutboxJob, PromptStatus, Reflection, ReflectionPrompt,
    SummaryStatus, Team, User, Visibility, utcnow,
)

# The first two make last time's published lessons; the draft covers them all, as a cadence summary does.
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
PUBLISHED_FROM = 2  # reflections the published summary was written from


def add_review_demo(session: Session, team_slug: str = "platform") -> LessonSummary | None:
    """Shared (and one private) reflections of the team, a published summary and the cadence's draft; commits.
    Returns the draft."""
    from ..cadence import last_period
    from .requests import summarise_at_cadence

    team = session.exec(select(Team).where(Team.slug == team_slug)).first()
    challenge = session.exec(select(Challenge).order_by(col(Challenge.id))).first()
    if team is None or challenge is None:
        return None
    completions = session.exec(select(Completion).where(
        Completion.team_id == team.id, Completion.challenge_id == challenge.id).order_by(col(Completion.id))).all()
    authors = {completion.user_id: completion for completion in completions}  # one reflection per person first
    picks = list(authors.values()) + [c for c in completions if c not in authors.values()]
    now = utcnow()
    _, start, end = last_period(challenge.summary_cadence, now.date())
    start = max(start, challenge.starts_at)
    bodies = [*SHARED, PRIVATE]
    step = (end - start) / (len(bodies) + 1)

    def reflect(index: int, body: str) -> None:
        if not picks:
            return
        completion = picks[index % len(picks)]
        if session.exec(select(ReflectionPrompt).where(ReflectionPrompt.completion_id == completion.id)).first():
            return
        prompt = ReflectionPrompt(work_key=f"completion:{completion.id}", user_id=completion.user_id,
                                  challenge_id=challenge.id, completion_id=completion.id, status=PromptStatus.ANSWERED,
                                  text="**What happened?** …", writer="offline", ready_at=now)
        session.add(prompt)
        session.flush()
        session.add(Reflection(prompt_id=prompt.id, user_id=completion.user_id, challenge_id=challenge.id,
                               team_id=team.id, body=body, created_at=start + step * (index + 1),
                               visibility=Visibility.PRIVATE if body == PRIVATE else Visibility.TEAM))

    for index, body in enumerate(bodies[:PUBLISHED_FROM]):
        reflect(index, body)
    _publish_earlier_summary(session, team, challenge)
    for index, body in enumerate(bodies[PUBLISHED_FROM:], start=PUBLISHED_FROM):
        reflect(index, body)
    summarise_at_cadence(session, now.date())  # the tick's own step: its work key is the tick's
    session.commit()
    draft = session.exec(select(LessonSummary).where(
        LessonSummary.team_id == team.id, LessonSummary.trigger == "cadence").order_by(col(LessonSummary.id).desc())).first()
    if draft is not None:
        _write_now(session, draft)
    return draft


def _publish_earlier_summary(session: Session, team: Team, challenge: Challenge) -> None:
    """A summary of the first reflections, published by the team's lead: the library is not empty. Only when
    the writer answers at once (offline): a model's summary would arrive later as a second draft to review."""
    from ..settings import get_settings
    from .requests import request_summary
    from .transitions import approve_summary, publish_summary

    if get_settings().uses_llm:
        return

    summary = request_summary(session, team_id=team.id, challenge_id=challenge.id, trigger="on_demand",
                              work_key=f"demo:{challenge.id}:{team.id}")
    session.commit()
    _write_now(session, summary)
    lead = session.exec(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.team_id == team.id, Membership.is_lead == True)).first()  # noqa: E712
    if summary.status != SummaryStatus.DRAFT or lead is None:
        return  # a model writes it later: nothing to publish at start-up
    approve_summary(session, lead, summary.id, summary.revision)
    publish_summary(session, lead, summary.id, summary.revision)
    session.commit()


def _write_now(session: Session, summary: LessonSummary) -> None:
    from ..jobs import run_now
    from ..settings import get_settings
    from .requests import outbox_key

    job = session.exec(select(OutboxJob).where(OutboxJob.key == outbox_key(summary))).first()
    if job is not None and not get_settings().uses_llm:
        # The offline writer answers at once. A model may be slow or silent, and start-up never waits for one:
        # its job stays in the outbox for the pump, and the review page shows the draft being written.
        run_now(job, session.get_bind().url.render_as_string(hide_password=False))
    session.refresh(summary)

