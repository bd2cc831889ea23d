"""Reflection-prompt jobs: one after each completion, or one per period at the challenge's cadence.

A job creates its ReflectionPrompt row (pending, committed at once so the page can show it), asks the
writer, and fills the row in. The row's work key makes the job safe to run twice.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from prompts import load
from webapp.cadence import finished_periods
from webapp.jobs import PROMPT, PROMPT_FOR_COMPLETION, PROMPT_FOR_PERIOD, enqueue, every_minute, job
from webapp.models import (
    Challenge, Completion, CompletionStatus, Enrolment, LlmCall, Mission, OutboxJob, PromptStatus, Reflection,
    ReflectionPrompt, Visibility, utcnow,
)
from webapp.settings import get_settings

from . import tokens

# Imported here, not in the job: a forked rq work horse then starts with the SDK already loaded.
from .llm import writer_for
from .pseudonyms import pseudonymiser_for
from .writing import CallRecord, PromptRequest, RetryLater

HISTORY_SIZE = 8
PREVIOUS_REFLECTIONS = 3
PREVIOUS_REFLECTION_TOKENS = 150
EVIDENCE_CHARS = 1000
COMPLETION_JOB = PROMPT_FOR_COMPLETION
PERIOD_JOB = PROMPT_FOR_PERIOD


def call_log_for(session: Session):
    """Records each writer call in its own transaction, so a call is logged even when the job then fails."""
    engine = session.get_bind()

    def record(call: CallRecord) -> None:
        with Session(engine) as own:
            own.add(LlmCall(**vars(call)))
            own.commit()

    return record


def writer(session: Session):
    return writer_for(get_settings(), call_log_for(session))


def reschedule_on_rate_limit(error: RetryLater):
    from .runner import Reschedule

    return Reschedule(error.seconds, str(error))


def mark_prompt_failed(session: Session, job: OutboxJob, reason: str) -> None:
    """Failure hook: the participant sees the prompt failed (`reason`, in plain words), with a retry button."""
    prompt = _prompt_of_job(session, job)
    if prompt is not None and prompt.status == PromptStatus.PENDING:
        prompt.status, prompt.error = PromptStatus.FAILED, reason
        session.add(prompt)


def _prompt_of_job(session: Session, job: OutboxJob) -> ReflectionPrompt | None:
    payload = job.payload
    if job.name == COMPLETION_JOB:
        key = f"completion:{payload['completion_id']}"
    else:
        key = f"period:{payload['challenge_id']}:{payload['user_id']}:{payload['period']}"
    prompt = session.exec(select(ReflectionPrompt).where(ReflectionPrompt.work_key == key)).first()
    if prompt is None and job.name == COMPLETION_JOB:
        # The job failed before it could write its row: create it failed, so the participant can retry.
        completion = session.get(Completion, payload["completion_id"])
        if completion is not None:
            prompt = ReflectionPrompt(work_key=key, user_id=completion.user_id, challenge_id=completion.challenge_id,
                                      completion_id=completion.id, status=PromptStatus.PENDING)
    return prompt


@job(PROMPT_FOR_COMPLETION, on_failure=mark_prompt_failed, waits_on=PROMPT)
def prompt_for_completion(session: Session, *, job: OutboxJob, completion_id: int) -> None:
    """Write the reflection prompt for one completion (a no-op if the completion is gone or the prompt written)."""
    completion = session.get(Completion, completion_id)
    if completion is None:
        return
    prompt = _open_prompt(session, f"completion:{completion_id}", completion.user_id, completion.challenge_id,
                          completion_id)
    if prompt.status in (PromptStatus.READY, PromptStatus.ANSWERED):
        return
    mission = session.get(Mission, completion.mission_id)
    evidence = [completion.evidence_text[:EVIDENCE_CHARS]] if completion.evidence_text else []
    request = _request(session, prompt, [mission], evidence, before=completion.created_at)
    _write(session, prompt, request)


@job(PROMPT_FOR_PERIOD, on_failure=mark_prompt_failed, waits_on=PROMPT)
def prompt_for_period(session: Session, *, job: OutboxJob, challenge_id: int, user_id: int, period: str,
                      start: str, end: str) -> None:
    """Write the daily or weekly reflection prompt about what the participant did in [start, end)."""
    prompt = _open_prompt(session, f"period:{challenge_id}:{user_id}:{period}", user_id, challenge_id, None)
    if prompt.status in (PromptStatus.READY, PromptStatus.ANSWERED):
        return
    rows = session.exec(
        select(Completion, Mission).join(Mission)
        .where(Completion.user_id == user_id, Completion.challenge_id == challenge_id,
               Completion.status == CompletionStatus.APPROVED,
               Completion.created_at >= datetime.fromisoformat(start), Completion.created_at < datetime.fromisoformat(end))
        .order_by(col(Completion.created_at))
    ).all()
    missions = [mission for _, mission in rows]
    evidence = [completion.evidence_text[:EVIDENCE_CHARS // 2] for completion, _ in rows if completion.evidence_text][:4]
    request = _request(session, prompt, missions, evidence, before=datetime.fromisoformat(start), period=period)
    _write(session, prompt, request)


def _open_prompt(session: Session, work_key: str, user_id: int, challenge_id: int,
                 completion_id: int | None) -> ReflectionPrompt:
    """The prompt row for `work_key`, created pending (and committed, so the page shows it) if new."""
    prompt = session.exec(select(ReflectionPrompt).where(ReflectionPrompt.work_key == work_key)).first()
    if prompt is None:
        try:
            prompt = ReflectionPrompt(work_key=work_key, user_id=user_id, challenge_id=challenge_id,
                                      completion_id=completion_id)
            session.add(prompt)
            session.commit()
        except IntegrityError:  # a second delivery of the same job got there first
            session.rollback()
            prompt = session.exec(select(ReflectionPrompt).where(ReflectionPrompt.work_key == work_key)).one()
    return prompt


def _request(session: Session, prompt: ReflectionPrompt, missions: list[Mission], evidence: list[str],
             before: datetime, period: str | None = None) -> PromptRequest:
    challenge = session.get(Challenge, prompt.challenge_id)
    earlier = session.exec(
        select(Mission.title, Mission.kind, Completion.created_at).join(Mission)
        .where(Completion.user_id == prompt.user_id, Completion.created_at < before,
               Completion.status == CompletionStatus.APPROVED)
        .order_by(col(Completion.created_at).desc()).limit(HISTORY_SIZE)
    ).all()
    written = session.exec(select(func.count()).select_from(Reflection).where(Reflection.user_id == prompt.user_id)).one()
    # Evidence and earlier reflections are people's words: every name in them is replaced, as in summaries.
    replace = pseudonymiser_for(session, _team_of(session, prompt), {prompt.user_id})
    previous = session.exec(
        select(Reflection.body, Mission.title)
        .outerjoin(ReflectionPrompt, ReflectionPrompt.id == Reflection.prompt_id)
        .outerjoin(Completion, Completion.id == ReflectionPrompt.completion_id)
        .outerjoin(Mission, Mission.id == Completion.mission_id)
        # Team-shared only: a private reflection never leaves the product, not even for its author's prompt.
        .where(Reflection.user_id == prompt.user_id, Reflection.visibility == Visibility.TEAM,
               Reflection.created_at < before)
        .order_by(col(Reflection.created_at).desc()).limit(PREVIOUS_REFLECTIONS)
    ).all()
    now = utcnow()
    return PromptRequest(
        work_key=prompt.work_key,
        challenge_title=challenge.title if challenge else "",
        mission_titles=[mission.title for mission in missions],
        mission_kinds=[mission.kind.value for mission in missions],
        evidence=[replace(text) for text in evidence],
        history=[{"mission": title, "kind": kind.value, "days_ago": max(0, (now - _aware(at)).days)}
                 for title, kind, at in earlier],
        reflections_written=int(written),
        period=period,
        previous_reflections=[{"mission": title, "text": tokens.truncate(replace(body), PREVIOUS_REFLECTION_TOKENS)}
                              for body, title in previous],
    )


def _team_of(session: Session, prompt: ReflectionPrompt) -> int | None:
    return session.exec(select(Enrolment.team_id).where(Enrolment.user_id == prompt.user_id,
                                                        Enrolment.challenge_id == prompt.challenge_id)).first()


def _write(session: Session, prompt: ReflectionPrompt, request: PromptRequest) -> None:
    chosen = writer(session)
    session.commit()  # nothing to write yet: ends the read transaction, so no connection is held while the model thinks
    try:
        draft = chosen.reflection_prompt(request)
    except RetryLater as error:
        raise reschedule_on_rate_limit(error) from error
    template = load("reflection_prompt")
    prompt.text = draft.as_markdown()
    prompt.template_name, prompt.template_version = template.name, template.version
    prompt.writer = chosen.name
    prompt.status, prompt.error, prompt.ready_at = PromptStatus.READY, None, utcnow()
    session.add(prompt)
    from webapp.notifications.delivery import notify

    notify(session, "prompt", "A reflection prompt is waiting for you: what did you learn?",
           source=f"prompt:{prompt.id}", user_ids=[prompt.user_id], link=f"/reflection/prompts/{prompt.id}")


@every_minute
def enqueue_cadence_prompts(session: Session, today: date | None = None) -> int:
    """Tick step: for daily/weekly challenges, ask for one prompt per participant who completed something
    in the last finished period. Returns how many jobs were added (the outbox key makes repeats free)."""
    added = 0
    for challenge, period, start, end in finished_periods(session, Challenge.reflection_cadence, today):
        users = session.exec(
            select(Completion.user_id).distinct()
            .where(Completion.challenge_id == challenge.id, Completion.created_at >= start, Completion.created_at < end,
                   Completion.status == CompletionStatus.APPROVED)  # pending evidence earns no prompt yet
        ).all()
        keys = {user_id: f"reflection-prompt:period:{challenge.id}:{user_id}:{period}" for user_id in users}
        existing = set(session.exec(select(OutboxJob.key).where(col(OutboxJob.key).in_(list(keys.values()))))) if keys else set()
        for user_id, key in keys.items():
            if key not in existing:
                enqueue(session, PERIOD_JOB, key, challenge_id=challenge.id, user_id=user_id, period=period,
                        start=start.isoformat(), end=end.isoformat())
                added += 1
    return added


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
