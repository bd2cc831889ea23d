"""XP per skill, derived from the points ledger: a completion's ledger row times each of its mission's skill
weights. Nothing else is stored, so a skill's XP can never disagree with the points that earned it."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from ..models import AssessmentPhase, Completion, MissionSkill, PointEvent, SelfAssessment, Skill

# (skill XP needed, name): one ladder shared by every skill, separate from the overall levels.
SKILL_LEVELS: list[tuple[int, str]] = [
    (0, "Curious"),
    (20, "Trying"),
    (60, "Practising"),
    (150, "Fluent"),
    (300, "Teaching"),
]


@dataclass(frozen=True)
class SkillLevel:
    number: int  # 1-based
    name: str
    xp: int
    floor: int
    next_at: int | None

    @property
    def percent(self) -> int:
        """How far from this level's floor to the next, for a progress bar."""
        if self.next_at is None:
            return 100
        return int(100 * (self.xp - self.floor) / (self.next_at - self.floor))


def skill_level_for(xp: int) -> SkillLevel:
    index = max(position for position, (needed, _) in enumerate(SKILL_LEVELS) if xp >= needed or position == 0)
    floor, name = SKILL_LEVELS[index]
    next_at = SKILL_LEVELS[index + 1][0] if index + 1 < len(SKILL_LEVELS) else None
    return SkillLevel(number=index + 1, name=name, xp=xp, floor=floor, next_at=next_at)


def skill_xp_query(challenge_id: int):
    """(skill id, user id, team id, XP) for a challenge: the ledger's completion rows joined to mission weights."""
    return (select(MissionSkill.skill_id, PointEvent.user_id, PointEvent.team_id,
                   func.sum(PointEvent.amount * MissionSkill.weight).label("xp"))
            .join(Completion, (PointEvent.source_type == "completion") & (PointEvent.source_id == Completion.id))
            .join(MissionSkill, MissionSkill.mission_id == Completion.mission_id)
            .where(PointEvent.challenge_id == challenge_id)
            .group_by(MissionSkill.skill_id, PointEvent.user_id, PointEvent.team_id))


def user_skill_xp(session: Session, user_id: int, challenge_id: int) -> dict[int, int]:
    """Skill id -> the user's XP in it in this challenge."""
    query = skill_xp_query(challenge_id).where(PointEvent.user_id == user_id)
    totals: dict[int, int] = {}
    for skill_id, _, _, xp in session.exec(query):
        totals[skill_id] = totals.get(skill_id, 0) + int(xp or 0)
    return totals


def user_skill_level(session: Session, user_id: int, challenge_id: int, skill_name: str) -> int:
    """The user's level (1-based) in the challenge's skill called `skill_name`; 0 if there is no such skill."""
    skill = session.exec(select(Skill).where(Skill.challenge_id == challenge_id, Skill.name == skill_name)).first()
    if skill is None:
        return 0
    return skill_level_for(user_skill_xp(session, user_id, challenge_id).get(skill.id, 0)).number


@dataclass
class SkillGrowth:
    skill: Skill
    level: SkillLevel
    before: int | None  # the person's own rating, 1 to 5
    after: int | None


def skill_growth(session: Session, user_id: int, challenge_id: int) -> list[SkillGrowth]:
    """Each skill of the challenge: the person's level from XP beside their before and after self-assessment."""
    skills = list(session.exec(select(Skill).where(Skill.challenge_id == challenge_id).order_by(Skill.position, Skill.id)))
    if not skills:
        return []
    xp = user_skill_xp(session, user_id, challenge_id)
    ratings = {(skill_id, phase): rating for skill_id, phase, rating in session.exec(
        select(SelfAssessment.skill_id, SelfAssessment.phase, SelfAssessment.rating)
        .where(SelfAssessment.user_id == user_id, SelfAssessment.challenge_id == challenge_id))}
    return [SkillGrowth(skill, skill_level_for(xp.get(skill.id, 0)), ratings.get((skill.id, AssessmentPhase.BEFORE)),
                        ratings.get((skill.id, AssessmentPhase.AFTER))) for skill in skills]
