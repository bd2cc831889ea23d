"""Self-assessments before and after, per skill."""
from __future__ import annotations

from dataclasses import dataclass


from sqlalchemy import Integer, String, cast, func, null, union_all
from sqlmodel import Session, col, select

from ...models import (
    Challenge,
    SelfAssessment,
    Skill,
    Team,
)
from ..scope import Scope
from .reads import _ready


@dataclass
class SkillFigures:
    skill: str
    challenge: str
    team: str | None  # None: every team in scope together
    before_average: float | None
    before_answers: int
    after_average: float | None
    after_answers: int

    @property
    def change(self) -> float | None:
        if self.before_average is None or self.after_average is None:
            return None
        return self.after_average - self.before_average


def self_assessments(session: Session, scope: Scope) -> list[SkillFigures]:
    """Average rating before and after per skill, overall then per team, with the number of answers.

    Not limited by the date range: "before" answers are given at joining, long before any range ends.
    """
    _ready(session)
    conditions = []
    if scope.challenge_id is not None:
        conditions.append(SelfAssessment.challenge_id == scope.challenge_id)
    if scope.team_ids is not None:
        conditions.append(col(SelfAssessment.team_id).in_(scope.team_ids))

    # One pass over the answers, summed per skill, team and phase; the overall figures add up the teams' sums,
    # and names are joined to the few groups, not to every answer.
    sums = (select(SelfAssessment.challenge_id, SelfAssessment.skill_id, SelfAssessment.team_id, SelfAssessment.phase,
                   func.sum(SelfAssessment.rating).label("total"), func.count().label("answers"))
            .where(*conditions).group_by(SelfAssessment.challenge_id, SelfAssessment.skill_id,
                                         SelfAssessment.team_id, SelfAssessment.phase).cte("sums"))
    skill = [Skill.id, Skill.name, Skill.position, Challenge.title]
    overall = (select(*skill, cast(null(), Integer), cast(null(), String), sums.c.phase, func.sum(sums.c.total),
                      func.sum(sums.c.answers))
               .join(Skill, Skill.id == sums.c.skill_id).join(Challenge, Challenge.id == sums.c.challenge_id)
               .group_by(*skill, sums.c.phase))
    per_team = (select(*skill, Team.id, Team.name, sums.c.phase, sums.c.total, sums.c.answers)
                .join(Skill, Skill.id == sums.c.skill_id).join(Challenge, Challenge.id == sums.c.challenge_id)
                .join(Team, Team.id == sums.c.team_id))

    figures: dict[tuple, SkillFigures] = {}
    for skill_id, name, position, challenge, team_id, team_name, phase, total, answers in session.execute(
            union_all(overall, per_team)).all():
        key = (challenge, position, skill_id, team_name is not None, team_name or "", team_id)
        entry = figures.setdefault(key, SkillFigures(name, challenge, team_name, None, 0, None, 0))
        average, answers = int(total) / int(answers), int(answers)
        if str(getattr(phase, "value", phase)) == "before":
            entry.before_average, entry.before_answers = average, answers
        else:
            entry.after_average, entry.after_answers = average, answers
    return [figures[key] for key in sorted(figures)]
