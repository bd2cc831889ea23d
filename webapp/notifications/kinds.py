"""Every kind of notification, and how it reaches people unless they choose otherwise."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    # Defaults: `email` sends each one as it happens; `digest` lists it in the weekly digest. In-app is always on.
    email: bool
    digest: bool


# The weekly digest itself is a "kind" of its own for settings and unsubscribing: its `email` says whether it is sent.
DIGEST = "digest"

KINDS: dict[str, Kind] = {kind.name: kind for kind in [
    Kind("kudos", "Kudos received", email=False, digest=True),
    Kind("feedback", "Feedback received", email=False, digest=True),
    Kind("badge", "Badge earned", email=False, digest=True),
    Kind("level", "Level reached", email=False, digest=True),
    Kind("prompt", "Reflection prompt waiting", email=False, digest=True),
    Kind("lesson_published", "Lessons of my team published", email=False, digest=True),
    Kind("challenge_starting", "Challenge starting", email=True, digest=True),
    Kind("challenge_ending", "Challenge ending", email=True, digest=True),
    Kind("streak", "Streak at risk", email=True, digest=False),
    Kind("assessment_after", "Self-assessment to fill in", email=True, digest=True),
    Kind("approval_decided", "Evidence approved or sent back", email=False, digest=True),
    Kind("job_failed", "Something I asked for failed", email=False, digest=False),
    Kind("general", "Other messages", email=False, digest=True),
]}


def kind_of(name: str) -> Kind:
    """The kind called `name`; an unknown name (an older row) counts as "general"."""
    return KINDS.get(name) or KINDS["general"]


def label(name: str) -> str:
    if name == DIGEST:
        return "Weekly digest"
    return kind_of(name).label
