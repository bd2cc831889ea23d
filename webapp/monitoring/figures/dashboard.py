"""One dashboard's figures together, as the page and its charts show them."""
from __future__ import annotations

from dataclasses import dataclass


from sqlmodel import Session

from ..scope import Scope
from .reads import BEST_AND_WORST
from .activity import completions_by_kind, completions_per_day
from .badges import BadgeFigures, badges_earned
from .missions import MissionFigures, missions
from .people import Funnel, funnel, people
from .skills import SkillFigures, self_assessments
from .teams import TeamFigures, team_comparison


@dataclass
class Dashboard:
    funnel: Funnel
    per_day: list[tuple[str, int]]
    by_kind: list[tuple[str, int, int]]
    teams: list[TeamFigures]
    missions: list[MissionFigures]
    badges: list[BadgeFigures]
    skills: list[SkillFigures]

    @property
    def best_missions(self) -> list[MissionFigures]:
        return self.missions[:BEST_AND_WORST]

    @property
    def worst_missions(self) -> list[MissionFigures]:
        rest = self.missions[BEST_AND_WORST:]
        return list(reversed(rest[-BEST_AND_WORST:]))


def dashboard(session: Session, scope: Scope) -> Dashboard:
    counted = people(session, scope)
    return Dashboard(funnel(session, scope, counted), completions_per_day(session, scope),
                     completions_by_kind(session, scope), team_comparison(session, scope, counted),
                     missions(session, scope), badges_earned(session, scope), self_assessments(session, scope))
