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


def level_for(xp: int) -> Level:
    index = 0
    for position, (needed, _) in enumerate(LEVELS):
        if xp >= needed:
            index = position
    floor, name = LEVELS[index]
    next_at = LEVELS[index + 1][0] if index + 1 < len(LEVELS) else None
    return Level(number=index + 1, name=name, xp=xp, floor=floor, next_at=next_at)
