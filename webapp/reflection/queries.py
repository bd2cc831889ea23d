"""What the pages show of reflection: the prompts waiting for a person, and which teams a person leads."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from ..models import (
    Cadence, Challenge, Completion, CompletionStatus, Membership, Mission, PromptStatus, ReflectionPrompt, utcnow,
)

# A completion this recent without its prompt row yet: the prompt is on its way, so the panel keeps polling.
EXPECTED_WITHIN = timedelta(minutes=5)
SHOWN = 10


@dataclass
class PromptsPanel:
    prompts: list[ReflectionPrompt] = field(default_factory=list)
    expected: int = 0  # prompts whose job has not written its row yet
    missions: dict[int, Mission] = field(default_factory=dict)  # the mission each prompt follows, by prompt id

    def for_mission(self, mission_id: int) -> list[ReflectionPrompt]:
        """The prompts written after completing `mission_id`: shown beside that mission."""
        return [prompt for prompt in self.prompts
                if prompt.id in self.missions and self.missions[prompt.id].id == mission_id]

    @property
    def waiting(self) -> bool:
        return self.expected > 0 or any(prompt.status == PromptStatus.PENDING for prompt in self.prompts)


def prompts_for(session: Session, user_id: int) -> PromptsPanel:
    """The user's unanswered prompts (ready, pending, failed), newest first, and how many are still expected."""
    rows = session.exec(
        select(ReflectionPrompt, Mission)
        .outerjoin(Completion, Completion.id == ReflectionPrompt.completion_id)
        .outerjoin(Mission, Mission.id == Completion.mission_id)
        .where(ReflectionPrompt.user_id == user_id, ReflectionPrompt.status != PromptStatus.ANSWERED)
        .order_by(col(ReflectionPrompt.id).desc()).limit(SHOWN)
    ).all()
    prompts = [prompt for prompt, _ in rows]
    missions = {prompt.id: mission for prompt, mission in rows if mission is not None}
    expected = session.exec(
        select(Completion.id)
        .join(Challenge, Challenge.id == Completion.challenge_id)
        .outerjoin(ReflectionPrompt, ReflectionPrompt.completion_id == Completion.id)
        # Counted this recently (approved evidence counts from its approval, pending evidence not at all).
        .where(Completion.user_id == user_id, Completion.status == CompletionStatus.APPROVED,
               func.coalesce(Completion.reviewed_at, Completion.created_at) >= utcnow() - EXPECTED_WITHIN,
               Challenge.reflection_cadence == Cadence.AFTER_EACH, col(ReflectionPrompt.id).is_(None))
    ).all()
    return PromptsPanel(prompts=prompts, expected=len(expected), missions=missions)


def led_team_ids(session: Session, user_id: int) -> set[int]:
    return set(session.exec(select(Membership.team_id).where(Membership.user_id == user_id, Membership.is_lead)).all())
