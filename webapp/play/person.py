"""A person's page: badges earned and still locked, the levels they reached and when, their reflections.

Their own page shows everything; someone else's shows what `people.sight_of` allows (shared challenges,
reflections shared with a team the viewer is in, never a private one).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from ..models import Badge, BadgeAward, Challenge, Enrolment, PointEvent, Reflection, User, Visibility
from .levels import Level, level_for
from .people import Sight
from .progress import earned_badges

REFLECTIONS_SHOWN = 50


@dataclass
class PersonPage:
    badges: list[tuple[Badge, BadgeAward | None]] = field(default_factory=list)  # earned first, then locked
    levels: list[tuple[Level, datetime | None]] = field(default_factory=list)  # each level reached, and when
    reflections: list[tuple[Reflection, str]] = field(default_factory=list)  # with the challenge's title


def person_page(session: Session, user: User, sight: Sight | None = None) -> PersonPage:
    """`sight`: what the viewer may see (None: the person's own page)."""
    shown = None if sight is None else sight.challenge_ids
    earned = [(badge, award) for badge, award in earned_badges(session, user)
              if shown is None or badge.challenge_id in shown]
    earned_ids = {badge.id for badge, _ in earned}
    locked = session.exec(
        select(Badge).join(Enrolment, Enrolment.challenge_id == Badge.challenge_id)
        .where(Enrolment.user_id == user.id, col(Badge.retired_at).is_(None))
        .order_by(Badge.challenge_id, Badge.id)).all()
    badges = [*earned, *((badge, None) for badge in locked
                         if badge.id not in earned_ids and (shown is None or badge.challenge_id in shown))]
    reflections = (select(Reflection, Challenge.title).join(Challenge, Challenge.id == Reflection.challenge_id)
                   .where(Reflection.user_id == user.id))
    if sight is not None and not sight.own:
        # Someone else's page: only what the person shared with a team the viewer is in. Never a journal entry.
        reflections = reflections.where(Reflection.visibility == Visibility.TEAM,
                                        col(Reflection.team_id).in_(sorted(sight.team_ids) or [-1]))
        if shown is not None:
            reflections = reflections.where(col(Reflection.challenge_id).in_(sorted(shown) or [-1]))
    return PersonPage(badges=badges, levels=level_history(session, user), reflections=list(session.exec(
        reflections.order_by(col(Reflection.created_at).desc(), col(Reflection.id).desc())
        .limit(REFLECTIONS_SHOWN)).all()))


def level_history(session: Session, user: User) -> list[tuple[Level, datetime | None]]:
    """Walk the ledger in order: each level the running total reached, with the moment it did (level 1: None)."""
    reached: list[tuple[Level, datetime | None]] = [(level_for(0), None)]
    total = 0
    for amount, when in session.exec(select(PointEvent.amount, PointEvent.created_at)
                                     .where(PointEvent.user_id == user.id)
                                     .order_by(col(PointEvent.created_at), col(PointEvent.id))):
        total += amount
        level = level_for(total)
        if level.number > reached[-1][0].number:
            reached.append((level, when))
    return reached
