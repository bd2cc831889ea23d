"""Teams side by side: their people, points, completions and reflections."""
from __future__ import annotations

from dataclasses import dataclass


from sqlalchemy import func
from sqlmodel import Session, select

from ..scope import Scope
from .reads import _per_team, _rate, _rolled
from .people import People, people


@dataclass
class TeamFigures:
    team_id: int
    name: str
    enrolled: int = 0
    active: int = 0
    points: int = 0
    completions: int = 0
    reflected: int = 0
    reflections: int = 0

    @property
    def reflection_rate(self) -> float | None:
        return _rate(self.reflected, self.enrolled)


def team_comparison(session: Session, scope: Scope, counted: People | None = None) -> list[TeamFigures]:
    """One row per team with enrolments in scope, most points first. `counted`: as for funnel()."""
    counted = counted or people(session, scope)
    teams = {team_id: TeamFigures(team_id, name, enrolled, active, reflected=reflected)
             for (team_id, name), (enrolled, active, _, reflected) in counted.teams.items()}
    team = _per_team(scope)
    for team_id, points, completions, reflections in session.exec(
            select(team.team_id, func.sum(team.points), func.sum(team.completions),
                   func.sum(team.reflections)).where(*_rolled(scope, team)).group_by(team.team_id)):
        if team_id in teams:
            team = teams[team_id]
            team.points, team.completions, team.reflections = int(points), int(completions), int(reflections)
    return sorted(teams.values(), key=lambda team: (-team.points, team.name))
