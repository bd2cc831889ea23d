"""Who took part (enrolled, active, completed, reflected), overall and per team, and the funnel they make."""
from __future__ import annotations

from dataclasses import dataclass


from sqlalchemy import Integer, String, and_, case, cast, func, null, union_all
from sqlmodel import Session, select

from ...models import (
    ActivityDayBits,
    ActivityTotal,
    Enrolment,
    Team,
)
from ..scope import Scope
from .reads import _all_time, _blocks, _enrolled, _per_team, _rate, _ready, _rolled, _some_day


def _flags(scope: Scope):
    """Each enrolment in scope: its team, the person, and whether they were active (points or a completion),
    completed a mission, reflected, in that challenge and the range."""
    if _all_time(scope):
        # One row of the all-time rollup per enrolment: a hash join across challenges, a key lookup per
        # enrolment when a team filter leaves few.
        def did(column):
            return func.coalesce(column, 0) > 0

        return (select(Enrolment.team_id, Enrolment.user_id,
                       did(ActivityTotal.point_events + ActivityTotal.completions).label("active"),
                       did(ActivityTotal.completions).label("completed"),
                       did(ActivityTotal.reflections).label("reflected"))
                .outerjoin(ActivityTotal, and_(ActivityTotal.challenge_id == Enrolment.challenge_id,
                                               ActivityTotal.user_id == Enrolment.user_id))
                .where(*_enrolled(scope)).cte("flags"))
    # A date range: bit tests on each enrolment's day bitmaps (one or two rows per enrolment; an enrolment
    # with two rows appears twice, which the distinct counts absorb).
    bits = ActivityDayBits
    return (select(Enrolment.team_id, Enrolment.user_id, _some_day(scope, bits.active, bits.block).label("active"),
                   _some_day(scope, bits.completed, bits.block).label("completed"),
                   _some_day(scope, bits.reflected, bits.block).label("reflected"))
            .outerjoin(bits, and_(bits.challenge_id == Enrolment.challenge_id, bits.user_id == Enrolment.user_id,
                                  *_blocks(scope, bits.block)))
            .where(*_enrolled(scope)).cte("flags"))


@dataclass
class People:
    """Distinct people (enrolled, active, completed, reflected) in all of the scope and per team (id, name)."""

    overall: tuple[int, int, int, int]
    teams: dict[tuple[int, str], tuple[int, int, int, int]]


def people(session: Session, scope: Scope) -> People:
    """The funnel's people and the team comparison's, from one pass over the enrolments in scope.

    Across challenges a person enrolled twice counts once, in the funnel as in their team.
    """
    _ready(session)
    flags = _flags(scope)

    def counts():
        def people_who(flag):
            return func.count(func.distinct(case((flag, flags.c.user_id))))

        return [func.count(func.distinct(flags.c.user_id)), people_who(flags.c.active),
                people_who(flags.c.completed), people_who(flags.c.reflected)]

    overall = select(cast(null(), Integer).label("team_id"), cast(null(), String).label("name"), *counts())
    per_team = (select(flags.c.team_id, Team.name, *counts()).join(Team, Team.id == flags.c.team_id)
                .group_by(flags.c.team_id, Team.name))
    result = People((0, 0, 0, 0), {})
    for team_id, name, *figures in session.execute(union_all(overall, per_team)).all():
        if team_id is None:
            result.overall = tuple(figures)
        else:
            result.teams[(team_id, name)] = tuple(figures)
    return result


@dataclass
class Funnel:
    enrolled: int
    active: int
    completed: int
    reflected: int
    reflections: int

    @property
    def reflection_rate(self) -> float | None:
        """Share of the enrolled who wrote at least one reflection."""
        return _rate(self.reflected, self.enrolled)

    def steps(self) -> list[tuple[str, int]]:
        return [("Enrolled", self.enrolled), ("Active (points or a completion)", self.active),
                ("Completed at least one mission", self.completed), ("Wrote at least one reflection", self.reflected)]


def funnel(session: Session, scope: Scope, counted: People | None = None) -> Funnel:
    """`counted`: people(session, scope) if already read (the dashboard reads it once for two figures)."""
    enrolled, active, completed, reflected = (counted or people(session, scope)).overall
    team = _per_team(scope)
    reflections = session.exec(select(func.coalesce(func.sum(team.reflections), 0))
                               .where(*_rolled(scope, team))).one()
    return Funnel(enrolled, active, completed, reflected, int(reflections))
