"""Levels from experience points: one table, the only place thresholds live."""
from __future__ import annotations

from dataclasses import dataclass

# (XP needed, name). XP is every point a person earned, across all challenges.
LEVELS: list[tuple[int, str]] = [
    (0, "Newcomer"),
    (50, "Explorer"),
    (150, "Practitioner"),
    (300, "Contributor"),
    (600, "Mentor"),
    (1000, "Catalyst"),
    (2000, "Luminary"),
]


@dataclass(frozen=True)
class Level:
    number: int  # 1-based
    name: str
    xp: int
    floor: int  # XP where this level starts
    next_at: int | None  # XP of the next level; None at the top

    @property
    def to_next(self) -> int | None:
        return None if self.next_at is None else self.next_at - self.xp

    @property
    def percent(self) -> int:
        """How far through this level, 0 to 100 (100 at the top level)."""
        if self.next_at is None:
            return 100
        return int(100 * (self.xp - self.floor) / (self.next_at - self.floor))


def notify_level_reached(session, user_id: int, xp_before: int, xp_after: int, cause: str) -> None:
    """Tell the person when their XP crossed into a higher level: once per level (the notification's source),
    however often it was crossed. Called by the ledger for every row it writes, whatever paid the points. `cause`
    names that ledger row's source, written just now (so the job key is new and no look-up is needed)."""
    from ..notifications.delivery import notify

    before, after = level_for(xp_before), level_for(xp_after)
    if after.number > before.number:
        notify(session, "level", f"You reached level {after.number}: {after.name}!",
               source=f"level:{user_id}:{after.number}", user_ids=[user_id], link="/dashboard",
               key=f"notify:level:{user_id}:{after.number}:{cause}", fresh=True)


def level_for(xp: int) -> Level:
    index = 0
    for position, (needed, _) in enumerate(LEVELS):
        if xp >= needed:
            index = position
    floor, name = LEVELS[index]
    next_at = LEVELS[index + 1][0] if index + 1 < len(LEVELS) else None
    return Level(number=index + 1, name=name, xp=xp, floor=floor, next_at=next_at)
