"""Which missions move which skills: XP per skill per team and challenge (derived from the points ledger),
beside the self-assessment change of the same skill and team, and the skills no mission builds."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, func
from sqlmodel import Session, col, select

from ..models import (
    Challenge,
    Completion,
    CompletionStatus,
    Enrolment,
    Mission,
    MissionCompleter,
    MissionCompleterDayBits,
    MissionSkill,
    Skill,
    Team,
)
from .figures import self_assessments
from .figures.reads import _all_time, _blocks, _per_mission, _ready, _rolled, _some_day
from .scope import Scope


@dataclass
class SkillXpRow:
    skill: str
    challenge: str
    team: str | None  # None: every team in scope together
    xp: int = 0
    people: int = 0  # people with XP in this skill
    missions: list[str] = field(default_factory=list)  # the missions that build it
    change: float | None = None  # the self-assessment change (after minus before) of the same skill and team

    @property
    def untouched(self) -> bool:
        return not self.missions


def _people_with_xp(scope: Scope, skill_ids: list[int]):
    """(skill id, team id, people) who completed a mission giving points that builds the skill, in the range,
    counted in the team of their enrolment (as the funnel counts them)."""
    if _all_time(scope):
        completer, user_id, conditions = MissionCompleter, MissionCompleter.user_id, []
    else:
        bits = MissionCompleterDayBits
        completer, user_id = bits, bits.user_id
        conditions = [*_blocks(scope, bits.block), _some_day(scope, bits.days, bits.block)]
    query = (select(MissionSkill.skill_id, Enrolment.team_id, func.count(func.distinct(user_id)))
             .join(Mission, Mission.id == MissionSkill.mission_id)
             .join(completer, and_(completer.mission_id == MissionSkill.mission_id, *conditions))
             .join(Enrolment, and_(Enrolment.challenge_id == Mission.challenge_id, Enrolment.user_id == user_id))
             .where(col(MissionSkill.skill_id).in_(skill_ids), Mission.points > 0)
             .group_by(MissionSkill.skill_id, Enrolment.team_id))
    if scope.challenge_id is not None:  # lets the enrolments be read by their challenge, not all scanned
        query = query.where(Enrolment.challenge_id == scope.challenge_id)
    if scope.team_ids is not None:
        query = query.where(col(Enrolment.team_id).in_(scope.team_ids))
    return query


def skill_xp_figures(session: Session, scope: Scope) -> list[SkillXpRow]:
    """One row per skill (all teams) then per skill and team with XP, in the challenges of `scope`.

    XP is the points the mission's completions earned (the ledger's, read from the rollups) times the mission's
    weight for the skill, within the date range: the same sum user_skill_xp makes for one person from the
    ledger itself, so the programme's figures and the people's own always agree."""
    _ready(session)
    skill_where = [] if scope.challenge_id is None else [Skill.challenge_id == scope.challenge_id]
    skills = session.exec(select(Skill.id, Skill.name, Skill.position, Challenge.title)
                          .join(Challenge, Challenge.id == Skill.challenge_id).where(*skill_where)
                          .order_by(Challenge.title, Skill.position, Skill.id)).all()
    if not skills:
        return []
    skill_ids = [row[0] for row in skills]
    builders: dict[int, list[str]] = {}
    for skill_id, title in session.exec(
            select(MissionSkill.skill_id, Mission.title).join(Mission, Mission.id == MissionSkill.mission_id)
            .where(col(MissionSkill.skill_id).in_(skill_ids), col(Mission.retired_at).is_(None))
            .order_by(Mission.position, Mission.id)):
        builders.setdefault(skill_id, []).append(title)

    per_mission = _per_mission(scope)
    xp = dict(((skill_id, team_id), int(total or 0)) for skill_id, team_id, total in session.exec(
        select(MissionSkill.skill_id, per_mission.team_id, func.sum(per_mission.points * MissionSkill.weight))
        .join(MissionSkill, MissionSkill.mission_id == per_mission.mission_id)
        .where(col(MissionSkill.skill_id).in_(skill_ids), *_rolled(scope, per_mission))
        .group_by(MissionSkill.skill_id, per_mission.team_id)))
    earners = dict(((skill_id, team_id), int(count)) for skill_id, team_id, count in session.exec(
        _people_with_xp(scope, skill_ids)))
    per_team: dict[int, list[tuple[int, int, int]]] = {}
    for skill_id, team_id in sorted(xp.keys() | earners.keys()):
        total, people = xp.get((skill_id, team_id), 0), earners.get((skill_id, team_id), 0)
        if total or people:
            per_team.setdefault(skill_id, []).append((team_id, total, people))
    team_names = dict(session.exec(select(Team.id, Team.name).where(
        col(Team.id).in_(sorted({t for rows in per_team.values() for t, _, _ in rows}) or [-1]))).all())
    changes = {(row.challenge, row.skill, row.team): row.change for row in self_assessments(session, scope)}

    result = []
    for skill_id, name, _, challenge in skills:
        teams = sorted(per_team.get(skill_id, []), key=lambda row: team_names.get(row[0], ""))
        result.append(SkillXpRow(name, challenge, None, sum(row[1] for row in teams), sum(row[2] for row in teams),
                                 builders.get(skill_id, []), changes.get((challenge, name, None))))
        for team_id, total, people in teams:
            team = team_names.get(team_id, "")
            result.append(SkillXpRow(name, challenge, team, total, people, builders.get(skill_id, []),
                                     changes.get((challenge, name, team))))
    return result


def pending_approvals(session: Session, scope: Scope) -> int:
    """Completions in scope waiting for a lead's approval (not yet counted in points or completions)."""
    query = select(func.count()).select_from(Completion).where(Completion.status == CompletionStatus.PENDING)
    if scope.challenge_id is not None:
        query = query.where(Completion.challenge_id == scope.challenge_id)
    if scope.team_ids is not None:
        query = query.where(col(Completion.team_id).in_(scope.team_ids))
    return int(session.exec(query).one())
