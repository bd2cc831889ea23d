"""Completions over time and by mission kind."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from ...models import (
    Mission,
    TeamDay,
)
from ..scope import Scope
from .reads import _per_mission, _ready, _rolled


def completions_per_day(session: Session, scope: Scope) -> list[tuple[str, int]]:
    """(day as YYYY-MM-DD, completions) for each UTC day with at least one completion."""
    _ready(session)
    total = func.sum(TeamDay.completions)
    rows = session.exec(select(TeamDay.day, total).where(*_rolled(scope, TeamDay))
                        .group_by(TeamDay.day).having(total > 0).order_by(TeamDay.day)).all()
    return [(value.isoformat() if isinstance(value, date) else str(value), int(count)) for value, count in rows]


def _completions_per_mission(scope: Scope):
    mission = _per_mission(scope)
    return (select(mission.mission_id, func.sum(mission.completions).label("completions"))
            .where(*_rolled(scope, mission)).group_by(mission.mission_id)
            .having(func.sum(mission.completions) > 0))


def completions_by_kind(session: Session, scope: Scope) -> list[tuple[str, int]]:
    """(mission kind, completions) for each kind with completions."""
    _ready(session)
    per_mission = _completions_per_mission(scope).subquery()
    total = func.sum(per_mission.c.completions)
    rows = session.exec(select(Mission.kind, total).join(per_mission, per_mission.c.mission_id == Mission.id)
                        .group_by(Mission.kind).order_by(total.desc(), Mission.kind)).all()
    return [(str(getattr(kind, "value", kind)), int(count)) for kind, count in rows]
