"""Every kind of notification, and how it reaches people unless they choose otherwise."""
from __future__ import annotations

from typing import NamedTuple


class Kind(NamedTuple):
    name: str
    label: str
    # Defaults: `email` sends each one as it happens; `digest` lists it in the weekly digest. In-app is always on.
    email: bool
    digest: bool


# The weekly digest itself is a "kind" of its own for settings and unsubscribing: its `email` says whether it is sent.
DIGEST = "digest"

# Every kind, in the order the settings page lists them.
_TABLE: list[tuple[str, str, bool, bool]] = [
    # name                 label                              email  digest
    ("kudos",              "Kudos received",                  False, True),
    ("feedback",           "Feedback received",               False, True),
    ("badge",              "Badge earned",                    False, True),
    ("level",              "Level reached",                   False, True),
    ("prompt",             "Reflection prompt waiting",       False, True),
    ("lesson_published",   "Lessons of my team published",    False, True),
    ("challenge_starting", "Challenge starting",              True,  True),
    ("challenge_ending",   "Challenge ending",                True,  True),
    ("streak",             "Streak at risk",                  True,  False),
    ("assessment_after",   "Self-assessment to fill in",      True,  True),
    ("approval_decided",   "Evidence approved or sent back",  False, True),
    ("job_failed",         "Something I asked for failed",    False, False),
    ("general",            "Other messages",                  False, True),
]
KINDS: dict[str, Kind] = {row[0]: Kind(*row) for row in _TABLE}


def kind_of(name: str) -> Kind:
    """The kind called `name`; an unknown name (an older row) counts as "general"."""
    return KINDS.get(name) or KINDS["general"]


def label(name: str) -> str:
    if name == DIGEST:
        return "Weekly digest"
    return kind_of(name).label
