"""Badge rules, evaluated incrementally: each play event checks only the rules it can affect.

An award is unique per badge and subject ("user:<id>" or "team:<id>") by a database constraint, so
two concurrent requests that both cross a threshold award it once. Retired badges are not awarded.

"Every member did X" (team_all_completed_kind) means every member enrolled in the challenge with
that team, so a badge is reachable by the people who actually play.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, exists, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ..notifications.delivery import notify
from ..models import Badge, BadgeAward, BadgeRule, Completion, CompletionStatus, Enrolment, Kudos, Mission, Reflection, User
from .events import PlayEvent, PlayEventKind
from .ledger import team_points, user_points
from .skill_xp import user_skill_level
from .streaks import streak_days
from ..outbound import events as outbound

TEAM_RULES = {BadgeRule.TEAM_ALL_COMPLETED_KIND, BadgeRule.TEAM_POINTS_REACHED}

# The rules each kind of event can move forward; nothing else is looked at.
RULES_BY_EVENT: dict[PlayEventKind, frozenset[BadgeRule]] = {
    PlayEventKind.MISSION_COMPLETED: frozenset(
        {BadgeRule.MISSIONS_COMPLETED, BadgeRule.STREAK_DAYS, BadgeRule.TEAM_ALL_COMPLETED_KIND}),
    PlayEventKind.POINTS_RECORDED: frozenset(
        {BadgeRule.POINTS_REACHED, BadgeRule.TEAM_POINTS_REACHED, BadgeRule.SKILL_LEVEL_REACHED}),
    PlayEventKind.REFLECTION_WRITTEN: frozenset({BadgeRule.REFLECTIONS_WRITTEN}),
    PlayEventKind.KUDOS_GIVEN: frozenset({BadgeRule.KUDOS_GIVEN, BadgeRule.KUDOS_RECEIVED}),
    PlayEventKind.FEEDBACK_GIVEN: frozenset(),
}


@dataclass(frozen=True)
class AwardedBadge:
    badge: Badge
    award: BadgeAward


def subject_of(badge: Badge, event: PlayEvent) -> tuple[str, int | None, int | None]:
    """(subject, user_id, team_id) the badge would go to for this event."""
    if badge.rule in TEAM_RULES:
        return f"team:{event.team_id}", None, event.team_id
    user_id = event.other_user_id if badge.rule == BadgeRule.KUDOS_RECEIVED else event.user_id
    return f"user:{user_id}", user_id, None


def award_badges(session: Session, events: list[PlayEvent]) -> list[AwardedBadge]:
    """Award every live badge of the challenge whose rule one of `events` (one act: a completion and its points)
    fulfils, in the caller's transaction."""
    wanted = [(event, RULES_BY_EVENT.get(event.kind, frozenset())) for event in events]
    wanted = [(event, rules) for event, rules in wanted if rules]
    if not wanted:
        return []
    # The candidates and the awards they already gave to these events' possible subjects, in one statement.
    challenge_ids = {event.challenge_id for event, _ in wanted}
    all_rules = set().union(*(rules for _, rules in wanted))
    subjects = set()
    for event, _ in wanted:
        subjects |= {f"user:{event.user_id}", f"team:{event.team_id}"}
        if event.other_user_id is not None:
            subjects.add(f"user:{event.other_user_id}")
    rows = session.exec(
        select(Badge, BadgeAward.subject)
        .outerjoin(BadgeAward, and_(BadgeAward.badge_id == Badge.id, col(BadgeAward.subject).in_(sorted(subjects))))
        .where(col(Badge.challenge_id).in_(sorted(challenge_ids)), col(Badge.rule).in_(sorted(all_rules)),
               col(Badge.retired_at).is_(None)).order_by(Badge.id)).all()
    candidates: dict[int, tuple[Badge, set[str]]] = {}
    for badge, subject in rows:
        candidates.setdefault(badge.id, (badge, set()))[1].add(subject)
    awarded = []
    for event, rules in wanted:
        for badge, given_to in candidates.values():
            if badge.rule not in rules or badge.challenge_id != event.challenge_id:
                continue
            subject, user_id, team_id = subject_of(badge, event)
            if (user_id is None and team_id is None) or subject in given_to:
                continue
            if not rule_met(session, badge, event.challenge_id, user_id=user_id, team_id=team_id):
                continue
            award = award_badge(session, badge, subject, user_id=user_id, team_id=team_id)
            given_to.add(subject)  # two events of one act never award the same badge twice
            if award is not None:
                awarded.append(AwardedBadge(badge, award))
    return awarded


def award_badge(session: Session, badge: Badge, subject: str, *, user_id: int | None = None,
                team_id: int | None = None) -> BadgeAward | None:
    """Insert the award; None if it exists (also when a concurrent transaction got there first)."""
    award = BadgeAward(badge_id=badge.id, challenge_id=badge.challenge_id, subject=subject,
                       user_id=user_id, team_id=team_id)
    try:
        with session.begin_nested():
            session.add(award)
    except IntegrityError:
        return None
    outbound.badge_awarded(session, award, badge)
    notify(session, "badge", f"Badge earned: {badge.name}!" if user_id is not None
           else f"Your team earned the badge {badge.name}!", source=f"badge-award:{award.id}",
           user_ids=[user_id] if user_id is not None else [], team_ids=[team_id] if user_id is None else [],
           link=f"/play/challenges/{badge.challenge_id}", fresh=True)
    return award


def _threshold(badge: Badge) -> int:
    return max(1, int(badge.params.get("threshold", 1)))


def rule_met(session: Session, badge: Badge, challenge_id: int, *, user_id: int | None,
             team_id: int | None) -> bool:
    """Whether the subject has fulfilled the badge's rule in this challenge right now."""
    rule = badge.rule
    if rule == BadgeRule.MISSIONS_COMPLETED:
        query = select(func.count()).select_from(Completion).where(
            Completion.user_id == user_id, Completion.challenge_id == challenge_id,
            Completion.status == CompletionStatus.APPROVED)
        if badge.params.get("kind"):
            query = query.join(Mission, Mission.id == Completion.mission_id).where(
                Mission.kind == badge.params["kind"])
        return session.exec(query).one() >= _threshold(badge)
    if rule == BadgeRule.STREAK_DAYS:
        user = session.get(User, user_id)
        return user is not None and streak_days(session, user, challenge_id) >= _threshold(badge)
    if rule == BadgeRule.POINTS_REACHED:
        return user_points(session, user_id, challenge_id) >= _threshold(badge)
    if rule == BadgeRule.REFLECTIONS_WRITTEN:
        return session.exec(select(func.count()).select_from(Reflection).where(
            Reflection.user_id == user_id, Reflection.challenge_id == challenge_id)).one() >= _threshold(badge)
    if rule == BadgeRule.KUDOS_GIVEN:
        return session.exec(select(func.count()).select_from(Kudos).where(
            Kudos.giver_id == user_id, Kudos.challenge_id == challenge_id)).one() >= _threshold(badge)
    if rule == BadgeRule.KUDOS_RECEIVED:
        return session.exec(select(func.count()).select_from(Kudos).where(
            Kudos.receiver_id == user_id, Kudos.challenge_id == challenge_id)).one() >= _threshold(badge)
    if rule == BadgeRule.SKILL_LEVEL_REACHED:
        return user_skill_level(session, user_id, challenge_id, badge.params.get("skill", "")) >= _threshold(badge)
    if rule == BadgeRule.TEAM_POINTS_REACHED:
        return team_points(session, team_id, challenge_id) >= _threshold(badge)
    if rule == BadgeRule.TEAM_ALL_COMPLETED_KIND:
        return _team_all_completed(session, team_id, challenge_id, badge.params.get("kind"))
    return False


def _team_all_completed(session: Session, team_id: int, challenge_id: int, kind: str | None) -> bool:
    if not kind:
        return False
    did_kind = exists().where(
        Completion.user_id == Enrolment.user_id, Completion.challenge_id == challenge_id,
        Completion.team_id == team_id, Completion.mission_id == Mission.id, Mission.kind == kind,
        Completion.status == CompletionStatus.APPROVED)
    members = and_(Enrolment.challenge_id == challenge_id, Enrolment.team_id == team_id)
    enrolled = session.exec(select(func.count()).select_from(Enrolment).where(members)).one()
    missing = session.exec(select(func.count()).select_from(Enrolment).where(members, ~did_kind)).one()
    return enrolled > 0 and missing == 0
