"""Things that happen while playing, and who reacts to them (badge rules, feeds...).

Code that changes play state emits an event in the same transaction; handlers run there and then,
so an award lands (or not) with the change that earned it.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from importlib import import_module

from sqlmodel import Session


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


# "module:function(session, events) -> list" entries; each returns what it did (e.g. badges awarded).
HANDLERS: list[str] = [
    "webapp.play.badges:award_badges",
]


def emit(session: Session, *events: PlayEvent) -> list:
    """Run every handler for `events` in the caller's transaction; returns what they report, flattened.

    Events of one act (a completion and the points it earned) go in one call, so a handler can look
    up what they have in common once."""
    results: list = []
    for path in HANDLERS:
        module_name, _, attr = path.partition(":")
        results.extend(getattr(import_module(module_name), attr)(session, list(events)) or [])
    return results
