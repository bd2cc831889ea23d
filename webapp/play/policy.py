"""The points policy: every way to earn points and every limit on them, in one place.

Points are only ever written through the ledger (webapp/play/ledger.py), each with a PointReason; this module
says, for each reason, how much it pays and what limits it. The rule functions (play/missions.py, play/feed.py,
play/adjustments.py, reflection/answers.py) apply it; the bounds an admin may set on a challenge or a mission
(webapp/challenges/schema.py) come from here too. Giving feedback earns no points of its own: it completes the
challenge's first open feedback mission, which pays as a completion (and so counts for the daily cap).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..models import PointReason

# What each act pays. A completion pays its mission's points, which the admin sets within MISSION_POINTS_MAX.
REFLECTION_POINTS = 10  # answering a reflection prompt, once per prompt
KUDOS_POINTS = 2  # to the person receiving kudos, once per kudos (one per giver and item, never to oneself)

# Limits an admin sets per mission and per challenge, within these bounds.
MISSION_POINTS_MAX = 1000
MAX_COMPLETIONS_MAX = 1000  # a mission's completion limit per person (None: unlimited; default 1)
COOLDOWN_HOURS_MAX = 24 * 366  # hours a person waits between two completions of one mission
DAILY_CAP_MAX = 100_000  # a challenge's cap on one person's completion points per local day (None: no cap)

# The daily cap counts these reasons only: kudos received, reflections and corrections never use up a day.
CAPPED_REASONS = frozenset({PointReason.COMPLETION})

# An admin's correction: a signed whole number of points, with the reason the person reads.
ADJUSTMENT_MAX = 10_000
ADJUSTMENT_REASON_MAX = 500


@dataclass(frozen=True)
class Rule:
    """How one reason earns points: what it pays and what limits it, as the person's history labels it."""

    label: str
    pays: str
    limits: str


RULES: dict[PointReason, Rule] = {
    PointReason.COMPLETION: Rule(
        "Mission completed", f"the mission's points (0 to {MISSION_POINTS_MAX})",
        "the mission's completion limit and cooldown, the challenge's daily cap, a running challenge; "
        "with approval, only once a lead approves"),
    PointReason.REFLECTION: Rule(
        "Reflection written", f"{REFLECTION_POINTS} points", "once per prompt, for the prompt's own participant"),
    PointReason.KUDOS_RECEIVED: Rule(
        "Kudos received", f"{KUDOS_POINTS} points to the receiver",
        "once per giver and item, never to oneself, while the challenge runs"),
    PointReason.ADJUSTMENT: Rule(
        "Correction", f"what an admin gives or takes (-{ADJUSTMENT_MAX} to {ADJUSTMENT_MAX}, never 0)",
        "admins only, with a reason; a deduction may not take a total below zero"),
}
