"""The append-only points ledger: the only way points are given, and where every total comes from."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from ..models import PointEvent, PointReason, utcnow


def record_points(
    session: Session,
    *,
    user_id: int,
    team_id: int,
    challenge_id: int,
    amount: int,
    reason: PointReason,
    source_type: str,
    source_id: int,
    created_at: datetime | None = None,
    new_source: bool = False,
) -> PointEvent | None:
    """Append points for what `source_type`/`source_id` earned; None if that source already paid out.

    Uses a savepoint so a duplicate (a retried request, a job run twice) leaves the caller's
    transaction intact. `created_at` lets the caller date the points with the act that earned them.
    `new_source`: the source row was inserted in this same transaction, so it cannot have paid out
    before; the savepoint (two round trips to the database) is skipped.
    """
    event = PointEvent(user_id=user_id, team_id=team_id, challenge_id=challenge_id, amount=amount,
                       reason=reason, source_type=source_type, source_id=source_id,
                       created_at=created_at or utcnow())
    if new_source:
        session.add(event)
        return event
    try:
        with session.begin_nested():
            session.add(event)
    except IntegrityError:
        return None
    return event


def user_points(session: Session, user_id: int, challenge_id: int | None = None) -> int:
    query = select(func.coalesce(func.sum(PointEvent.amount), 0)).where(PointEvent.user_id == user_id)
    if challenge_id is not None:
        query = query.where(PointEvent.challenge_id == challenge_id)
    return int(session.exec(query).one())


def team_points(session: Session, team_id: int, challenge_id: int) -> int:
    query = select(func.coalesce(func.sum(PointEvent.amount), 0)).where(
        PointEvent.team_id == team_id, PointEvent.challenge_id == challenge_id)
    return int(session.exec(query).one())
