"""Badges of a challenge: declarative rules from the fixed vocabulary, checked when saved."""
from __future__ import annotations

import math

from sqlalchemy import func
from sqlmodel import Session, select

from ..models import Badge, BadgeAward, Challenge, Skill, utcnow
from .badge_rules import ChallengeShape, scope_of, validate_params
from .challenges import ensure_editable
from .missions import missions_of
from ..problems import Invalid, Problem
from .schema import BadgeFields


def badges_of(session: Session, challenge: Challenge) -> list[Badge]:
    return list(session.exec(select(Badge).where(Badge.challenge_id == challenge.id).order_by(Badge.id)).all())


def shape_of(session: Session, challenge: Challenge) -> ChallengeShape:
    days = max(1, math.ceil((challenge.ends_at - challenge.starts_at).total_seconds() / 86400))
    kinds = frozenset(mission.kind for mission in missions_of(session, challenge))
    skills = frozenset(session.exec(select(Skill.name).where(Skill.challenge_id == challenge.id)).all())
    return ChallengeShape(duration_days=days, mission_kinds=kinds, skills=skills)


def award_count(session: Session, badge: Badge) -> int:
    return session.exec(select(func.count()).select_from(BadgeAward).where(BadgeAward.badge_id == badge.id)).one()


def _check_slug(session: Session, challenge_id: int, slug: str, except_id: int | None) -> None:
    query = select(Badge.id).where(Badge.challenge_id == challenge_id, Badge.slug == slug)
    if except_id is not None:
        query = query.where(Badge.id != except_id)
    if session.exec(query).first() is not None:
        raise Invalid([Problem(("slug",), f"this challenge already has a badge with the slug {slug!r}")])


def add_badge(session: Session, challenge: Challenge, fields: BadgeFields) -> Badge:
    """A new badge. Raises Invalid on a duplicate slug or a missing, unknown or impossible parameter."""
    ensure_editable(challenge)
    params = validate_params(fields.rule, fields.params(), shape_of(session, challenge))
    _check_slug(session, challenge.id, fields.slug, None)
    badge = Badge(challenge_id=challenge.id, slug=fields.slug, name=fields.name, description=fields.description,
                  rule=fields.rule, scope=scope_of(fields.rule), params=params, icon=fields.icon)
    session.add(badge)
    session.flush()
    return badge


def update_badge(session: Session, challenge: Challenge, badge: Badge, fields: BadgeFields) -> Badge:
    """Change a badge. Badges already awarded stay awarded, whatever the new rule says."""
    ensure_editable(challenge)
    params = validate_params(fields.rule, fields.params(), shape_of(session, challenge))
    _check_slug(session, challenge.id, fields.slug, badge.id)
    badge.slug, badge.name, badge.description = fields.slug, fields.name, fields.description
    badge.rule, badge.scope, badge.params = fields.rule, scope_of(fields.rule), params
    badge.icon = fields.icon
    session.add(badge)
    return badge


def retire_badge(session: Session, challenge: Challenge, badge: Badge) -> None:
    """Nobody earns it from now on; those who earned it keep it."""
    ensure_editable(challenge)
    badge.retired_at = badge.retired_at or utcnow()
    session.add(badge)


def restore_badge(session: Session, challenge: Challenge, badge: Badge) -> None:
    ensure_editable(challenge)
    badge.retired_at = None
    session.add(badge)


def delete_badge(session: Session, challenge: Challenge, badge: Badge) -> None:
    """Delete a badge nobody earned. Raises Invalid otherwise (deleting would take awards away)."""
    ensure_editable(challenge)
    awarded = award_count(session, badge)
    if awarded:
        raise Invalid.one("badge", f"{badge.name!r} was awarded {awarded} time(s); retire it instead.")
    session.delete(badge)
