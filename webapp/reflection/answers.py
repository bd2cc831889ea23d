"""Answering a reflection prompt: the reflection is stored, points recorded and the event emitted together."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, select

from ..db import take_write_lock
from ..jobs import retry
from ..models import (
    Completion, Enrolment, OutboxJob, PointReason, PromptStatus, Reflection, ReflectionPrompt, User, Visibility,
)
from ..play.badges import award_badges
from ..play.events import PlayEvent, PlayEventKind
from ..play.ledger import record_points
from ..play.policy import REFLECTION_POINTS
from ..outbound import events as outbound

MIN_LENGTH = 20
MAX_LENGTH = 5000


@dataclass
class AnswerInvalid(ValueError):
    """What is wrong with an answer, field by field."""

    errors: dict[str, str] = field(default_factory=dict)


class PromptNotYours(LookupError):
    """No such prompt for this person (a prompt is only ever shown to its participant)."""


def prompt_of(session: Session, user: User, prompt_id: int, lock: bool = False) -> ReflectionPrompt:
    """The user's prompt `prompt_id` (`lock`: locked until commit on PostgreSQL, so parallel answers take turns).
    Raises PromptNotYours for anyone else's or a missing one."""
    prompt = session.get(ReflectionPrompt, prompt_id, with_for_update=lock or None)
    if prompt is None or prompt.user_id != user.id:
        raise PromptNotYours(prompt_id)
    return prompt


def answer_prompt(session: Session, user: User, prompt_id: int, body: str, visibility: str) -> tuple[Reflection, int]:
    """Store the user's answer and its points (the caller commits). Returns the reflection and points earned.

    Raises PromptNotYours, or AnswerInvalid with a message per field (nothing is changed then).
    """
    take_write_lock(session)
    prompt = prompt_of(session, user, prompt_id, lock=True)
    body = (body or "").strip()
    errors = {}
    if prompt.status == PromptStatus.ANSWERED:
        errors["body"] = "You have already answered this prompt."
    elif prompt.status != PromptStatus.READY:
        errors["body"] = "This prompt is not ready to be answered yet."
    elif len(body) < MIN_LENGTH:
        errors["body"] = f"Write at least {MIN_LENGTH} characters: a few honest sentences are enough."
    elif len(body) > MAX_LENGTH:
        errors["body"] = f"Keep it under {MAX_LENGTH} characters (you wrote {len(body)})."
    if visibility not in {choice.value for choice in Visibility}:
        errors["visibility"] = "Choose who can read your reflection: only you, or your team."
    if errors:
        raise AnswerInvalid(errors)
    team_id = _team_of(session, prompt)
    reflection = Reflection(prompt_id=prompt.id, user_id=user.id, challenge_id=prompt.challenge_id, team_id=team_id,
                            body=body, visibility=Visibility(visibility))
    session.add(reflection)
    prompt.status = PromptStatus.ANSWERED
    session.add(prompt)
    session.flush()
    earned = record_points(session, user_id=user.id, team_id=team_id, challenge_id=prompt.challenge_id,
                           amount=REFLECTION_POINTS, reason=PointReason.REFLECTION, source_type="reflection",
                           source_id=reflection.id)
    award_badges(session, [PlayEvent(PlayEventKind.REFLECTION_WRITTEN, user.id, team_id, prompt.challenge_id)])
    outbound.reflection_answered(session, reflection)
    return reflection, earned.amount if earned else 0


def _team_of(session: Session, prompt: ReflectionPrompt) -> int:
    """The team the person plays with now: a reflection written after a move is shared with (and its points
    count for) the new team, even about a completion done in the old one."""
    enrolment = session.exec(select(Enrolment).where(
        Enrolment.user_id == prompt.user_id, Enrolment.challenge_id == prompt.challenge_id)).first()
    if enrolment is not None:
        return enrolment.team_id
    return session.get(Completion, prompt.completion_id).team_id


def retry_prompt(session: Session, user: User, prompt_id: int) -> ReflectionPrompt:
    """Ask again for a failed prompt (the caller commits). Raises PromptNotYours, or ValueError if not failed."""
    prompt = prompt_of(session, user, prompt_id)
    restart_prompt(session, prompt)
    return prompt


def restart_prompt(session: Session, prompt: ReflectionPrompt) -> OutboxJob | None:
    """Put a failed prompt and its job back in line (the caller commits). The participant's retry and the admin
    jobs page's both come here, so job and prompt always agree. Raises ValueError if the prompt has not failed."""
    if prompt.status != PromptStatus.FAILED:
        raise ValueError("Only a failed prompt can be asked for again.")
    job = session.exec(select(OutboxJob).where(OutboxJob.key == f"reflection-prompt:{prompt.work_key}")).first()
    if job is not None:
        retry(session, job)
    prompt.status, prompt.error = PromptStatus.PENDING, None
    session.add(prompt)
    return job
