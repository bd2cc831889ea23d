"""Badges earned in scope."""
from __future__ import annotations

from dataclasses import dataclass


from sqlalchemy import func
from sqlmodel import Session, select

from ...models import (
    Badge,
    BadgeAward,
    Challenge,
    Enrolment,
)
from ..scope import Scope
from .reads import _ready


@dataclass
class BadgeFigures:
    name: str
    challenge: str
    scope: str
    awards: int


def badges_earned(session: Session, scope: Scope) -> list[BadgeFigures]:
    """Awards per badge in the range; an individual award counts for the team the person plays with."""
    _ready(session)
    team_of_award = func.coalesce(BadgeAward.team_id, Enrolment.team_id)
    conditions = []
    if scope.challenge_id is not None:
        conditions.append(BadgeAward.challenge_id == scope.challenge_id)
    if scope.team_ids is not None:
        conditions.append(team_of_award.in_(scope.team_ids))
    if scope.start is not None:
        conditions.append(BadgeAward.awarded_at >= scope.start)
    if scope.end is not None:
        conditions.append(BadgeAward.awarded_at < scope.end)
    rows = session.exec(
        select(Badge.name, Challenge.title, Badge.scope, func.count(BadgeAward.id))
        .join(Badge, Badge.id == BadgeAward.badge_id).join(Challenge, Challenge.id == BadgeAward.challenge_id)
        .outerjoin(Enrolment, (Enrolment.challenge_id == BadgeAward.challenge_id)
                   & (Enrolment.user_id == BadgeAward.user_id))
        .where(*conditions).group_by(Badge.id, Badge.name, Challenge.title, Badge.scope)
        .order_by(func.count(BadgeAward.id).desc(), Badge.name)).all()
    return [BadgeFigures(name, challenge, str(getattr(kind, "value", kind)), count)
            for name, challenge, kind, count in rows]
