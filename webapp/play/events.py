"""Things that happen while playing, as the badge rules read them.

Code that changes play state calls `badges.award_badges` with what happened, in the same transaction,
so an award lands (or not) with the change that earned it.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PlayEventKind(StrEnum):
    MISSION_COMPLETED = "mission_completed"
    POINTS_RECORDED = "points_recorded"
    REFLECTION_WRITTEN = "reflection_written"
    KUDOS_GIVEN = "kudos_given"
    FEEDBACK_GIVEN = "feedback_given"


@dataclass(frozen=True)
class PlayEvent:
    kind: PlayEventKind
    user_id: int
    team_id: int
    challenge_id: int
    # The other person involved, e.g. who received the kudos.
    other_user_id: int | None = None
