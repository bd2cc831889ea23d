"""Missions ranked by how many of the people who could complete them did."""
from __future__ import annotations

from dataclasses import dataclass


from sqlalchemy import and_, func
from sqlmodel import Session, col, select

from ...models import (
    Challenge,
    Enrolment,
    Mission,
    MissionCompleter,
    MissionCompleterDayBits,
)
from ...models.monitoring import DAYS_PER_BLOCK
from ..scope import Scope
from .reads import _all_time, _blocks, _day_numbers, _enrolled, _per_mission, _rate, _ready, _rolled, _some_day


@dataclass
class MissionFigures:
    mission_id: int
    title: str
    challenge: str
    kind: str
    completers: int
    completions: int
    enrolled: int
    reflections: int

    @property
    def completion_rate(self) -> float | None:
        """Distinct people who completed it / people enrolled in its challenge."""
        return _rate(self.completers, self.enrolled)


def _completers(scope: Scope):
    """(mission id, people enrolled in scope who completed it, in the range)."""
    if _all_time(scope):
        # One all-time row per person and mission, matched to their enrolment (one each): count them.
        query = (select(Mission.id, func.count())
                 .join(MissionCompleter, MissionCompleter.mission_id == Mission.id)
                 .join(Enrolment, and_(Enrolment.challenge_id == Mission.challenge_id,
                                       Enrolment.user_id == MissionCompleter.user_id)))
    else:
        # Bit tests on each person's day bitmaps of the mission. A range within one block has one row per
        # person and mission, so rows count people (a distinct count would sort them, twice as slow).
        bits = MissionCompleterDayBits
        first, last = _day_numbers(scope)
        one_block = first is not None and last is not None and first // DAYS_PER_BLOCK == last // DAYS_PER_BLOCK
        query = (select(Mission.id, func.count() if one_block else func.count(func.distinct(bits.user_id)))
                 .join(bits, and_(bits.mission_id == Mission.id, *_blocks(scope, bits.block),
                                  _some_day(scope, bits.days, bits.block)))
                 .join(Enrolment, and_(Enrolment.challenge_id == Mission.challenge_id,
                                       Enrolment.user_id == bits.user_id)))
    return query.where(*_enrolled(scope)).group_by(Mission.id)


def missions(session: Session, scope: Scope) -> list[MissionFigures]:
    """Every mission in scope, best completion rate first (then most reflections)."""
    _ready(session)
    enrolled = dict(session.exec(select(Enrolment.challenge_id, func.count(func.distinct(Enrolment.user_id)))
                                 .where(*_enrolled(scope)).group_by(Enrolment.challenge_id)).all())
    # Completions of each mission, and the reflections it led to (those answering a prompt written after one
    # of its completions), in one pass.
    counts, reflected, mission = {}, {}, _per_mission(scope)
    for mission_id, count, reflections in session.exec(
            select(mission.mission_id, func.sum(mission.completions), func.sum(mission.reflections))
            .where(*_rolled(scope, mission)).group_by(mission.mission_id)):
        if count > 0:
            counts[mission_id] = int(count)
        reflected[mission_id] = int(reflections)
    completers = dict(session.exec(_completers(scope)).all())
    done = {mission_id: (completers.get(mission_id, 0), count) for mission_id, count in counts.items()}
    # Missions of the challenge, or (across challenges) of every challenge with someone enrolled in scope.
    in_scope = (Mission.challenge_id == scope.challenge_id if scope.challenge_id is not None
                else col(Mission.challenge_id).in_(list(enrolled)))
    rows = session.exec(select(Mission.id, Mission.title, Mission.kind, Mission.challenge_id, Challenge.title)
                        .join(Challenge, Challenge.id == Mission.challenge_id).where(in_scope)).all()
    figures = [MissionFigures(mission_id, title, challenge_title, str(getattr(kind, "value", kind)),
                              done.get(mission_id, (0, 0))[0], done.get(mission_id, (0, 0))[1],
                              enrolled.get(challenge_id, 0), reflected.get(mission_id, 0))
               for mission_id, title, kind, challenge_id, challenge_title in rows]
    return sorted(figures, key=lambda m: (-(m.completion_rate or 0), -m.reflections, m.title, m.mission_id))
