"""The append-only points ledger: the only way points are given, and where every total comes from.

Being the only way in, it is also where a level crossed is noticed, whatever paid the points."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from ..models import PointEvent, PointReason, utcnow
from .levels import notify_level_reached


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
    xp_before: int | None = None,
) -> PointEvent | None:
    """Append points for what `source_type`/`source_id` earned; None if that source already paid out.

    Uses a savepoint so a duplicate (a retried request, a job run twice) leaves the caller's
    transaction intact. `created_at` lets the caller date the points with the act that earned them.
    `new_source`: the source row was inserted in this same transaction, so it cannot have paid out
    before; the savepoint (two round trips to the database) is skipped.
    `xp_before`: the person's XP before these points, when the caller has it already (saves summing the ledger
    again to tell whether a level was crossed).
    """
    event = PointEvent(user_id=user_id, team_id=team_id, challenge_id=challenge_id, amount=amount,
                       reason=reason, source_type=source_type, source_id=source_id,
                       created_at=created_at or utcnow())
    if new_source:
        session.add(event)
    else:
        try:
            with session.begin_nested():
                session.add(event)
        except IntegrityError:
            return None
    if amount > 0:  # points taken away never reach a level
        if xp_before is None:
            xp_before = user_points(session, user_id) - amount  # the sum flushes and counts the new row
        notify_level_reached(session, user_id, xp_before, xp_before + amount, f"{source_type}:{source_id}")
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
