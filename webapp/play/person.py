"""A person's own page: badges earned and still locked, the levels they reached and when, their reflections."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from ..models import Badge, BadgeAward, Challenge, Enrolment, PointEvent, Reflection, User
from .levels import Level, level_for
from .progress import earned_badges

REFLECTIONS_SHOWN = 50


@dataclass
class PersonPage:
    badges: list[tuple[Badge, BadgeAward | None]] = field(default_factory=list)  # earned first, then locked
    levels: list[tuple[Level, datetime | None]] = field(default_factory=list)  # each level reached, and when
    reflections: list[tuple[Reflection, str]] = field(default_factory=list)  # with the challenge's title


def person_page(session: Session, user: User) -> PersonPage:
    earned = earned_badges(session, user)
    earned_ids = {badge.id for badge, _ in earned}
    locked = session.exec(
        select(Badge).join(Enrolment, Enrolment.challenge_id == Badge.challenge_id)
        .where(Enrolment.user_id == user.id, col(Badge.retired_at).is_(None))
        .order_by(Badge.challenge_id, Badge.id)).all()
    badges = [*earned, *((badge, None) for badge in locked if badge.id not in earned_ids)]
    return PersonPage(badges=badges, levels=level_history(session, user), reflections=list(session.exec(
        select(Reflection, Challenge.title).join(Challenge, Challenge.id == Reflection.challenge_id)
        .where(Reflection.user_id == user.id)
        .order_by(col(Reflection.created_at).desc(), col(Reflection.id).desc()).limit(REFLECTIONS_SHOWN)).all()))


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
