"""What the pages show of reflection: the prompts waiting for a person, and which teams a person leads."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from ..models import (
    Cadence, Challenge, Completion, CompletionStatus, Membership, PromptStatus, ReflectionPrompt, utcnow,
)

# A completion this recent without its prompt row yet: the prompt is on its way, so the panel keeps polling.
EXPECTED_WITHIN = timedelta(minutes=5)
SHOWN = 10


@dataclass
class PromptsPanel:
    prompts: list[ReflectionPrompt] = field(default_factory=list)
    expected: int = 0  # prompts whose job has not written its row yet

    @property
    def waiting(self) -> bool:
        return self.expected > 0 or any(prompt.status == PromptStatus.PENDING for prompt in self.prompts)


def prompts_for(session: Session, user_id: int) -> PromptsPanel:
    """The user's unanswered prompts (ready, pending, failed), newest first, and how many are still expected."""
    prompts = session.exec(
        select(ReflectionPrompt)
        .where(ReflectionPrompt.user_id == user_id, ReflectionPrompt.status != PromptStatus.ANSWERED)
        .order_by(col(ReflectionPrompt.id).desc()).limit(SHOWN)
    ).all()
    expected = session.exec(
        select(Completion.id)
        .join(Challenge, Challenge.id == Completion.challenge_id)
        .outerjoin(ReflectionPrompt, ReflectionPrompt.completion_id == Completion.id)
        # Counted this recently (approved evidence counts from its approval, pending evidence not at all).
        .where(Completion.user_id == user_id, Completion.status == CompletionStatus.APPROVED,
               func.coalesce(Completion.reviewed_at, Completion.created_at) >= utcnow() - EXPECTED_WITHIN,
               Challenge.reflection_cadence == Cadence.AFTER_EACH, col(ReflectionPrompt.id).is_(None))
    ).all()
    return PromptsPanel(prompts=list(prompts), expected=len(expected))


def led_team_ids(session: Session, user_id: int) -> set[int]:
    return set(session.exec(select(Membership.team_id).where(Membership.user_id == user_id, Membership.is_lead)).all())
