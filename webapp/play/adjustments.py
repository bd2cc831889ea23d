"""Correcting points: an admin's adjustment is a new ledger event with a signed amount, a reason and its author.

The ledger refuses UPDATE and DELETE, so a wrong award is corrected by appending, never by rewriting:
the adjustment row says why and who, its ledger row (reason ADJUSTMENT) carries the amount to the
person's team in that challenge, and every total, level, board and dashboard follows from the ledger.
Refusals (nothing is stored): not enrolled in that challenge, an amount that is not a whole number
between -ADJUSTMENT_MAX and ADJUSTMENT_MAX (webapp/play/policy.py) or is zero, a missing or overlong reason, a deduction that would
leave the person below zero in the challenge, and an admin adjusting their own points.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_
from sqlmodel import Session, col, select

from ..db import take_write_lock
from ..models import (
    Challenge,
    Completion,
    Enrolment,
    Mission,
    PointAdjustment,
    PointEvent,
    PointReason,
    User,
    utcnow,
)
from .badges import award_badges
from .events import PlayEvent, PlayEventKind
from .ledger import record_points, user_points
from .policy import ADJUSTMENT_MAX, ADJUSTMENT_REASON_MAX, RULES

HISTORY_LENGTH = 200
# ASCII digits only: str.isdigit() and int() also take "²" or Arabic-Indic digits.
AMOUNT = re.compile(r"^[+-]?[0-9]{1,6}$")

REASON_LABELS = {reason: rule.label for reason, rule in RULES.items()}


class AdjustmentInvalid(ValueError):
    """The adjustment was not made; `errors` maps each form field at fault to what is wrong."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


def adjust_points(session: Session, admin: User, person: User, challenge_id: int | None, amount: str,
                  reason: str, now: datetime | None = None) -> PointAdjustment:
    """Append `amount` points (signed) for `person` in the challenge, with why and who (the caller commits).

    Raises AdjustmentInvalid with a message per field."""
    take_write_lock(session)  # the "not below zero" check and the insert take turns on SQLite
    errors: dict[str, str] = {}
    enrolment = None
    if challenge_id is not None:
        enrolment = session.exec(select(Enrolment).where(  # locked: parallel deductions take turns (PostgreSQL)
            Enrolment.user_id == person.id, Enrolment.challenge_id == challenge_id).with_for_update()).first()
    if enrolment is None:
        errors["challenge_id"] = f"Choose a challenge {person.display_name} takes part in."
    text = (amount or "").strip()
    value = int(text) if AMOUNT.match(text) else None
    if value is None or not -ADJUSTMENT_MAX <= value <= ADJUSTMENT_MAX:
        errors["amount"] = f"Give a whole number of points between -{ADJUSTMENT_MAX} and {ADJUSTMENT_MAX}, like 15 or -20."
    elif value == 0:
        errors["amount"] = "An adjustment of 0 points changes nothing: give the points to add or take away."
    why = " ".join((reason or "").split())
    if not why:
        errors["reason"] = "Say why: the person sees this reason in their points history."
    elif len(why) > ADJUSTMENT_REASON_MAX:
        errors["reason"] = f"Keep the reason under {ADJUSTMENT_REASON_MAX} characters (yours has {len(why)})."
    if person.id == admin.id:
        errors["amount"] = "You cannot adjust your own points; ask another admin."
    if not errors and value < 0:
        held = user_points(session, person.id, challenge_id)
        if held + value < 0:
            errors["amount"] = (f"{person.display_name} has {held} points in this challenge: "
                                f"take away at most {held}.")
    if errors:
        raise AdjustmentInvalid(errors)
    adjustment = PointAdjustment(user_id=person.id, challenge_id=challenge_id, team_id=enrolment.team_id,
                                 amount=value, reason=why, admin_id=admin.id, admin_name=admin.display_name,
                                 created_at=now or utcnow())
    session.add(adjustment)
    session.flush()
    record_points(session, user_id=person.id, team_id=enrolment.team_id, challenge_id=challenge_id, amount=value,
                  reason=PointReason.ADJUSTMENT, source_type="adjustment", source_id=adjustment.id,
                  created_at=adjustment.created_at, new_source=True)
    award_badges(session, [PlayEvent(PlayEventKind.POINTS_RECORDED, person.id, enrolment.team_id, challenge_id)])
    return adjustment


def enrolled_challenges(session: Session, person: User) -> list[Challenge]:
    """The challenges whose points an admin can correct for `person`: those they enrolled in."""
    return list(session.exec(select(Challenge).join(Enrolment, Enrolment.challenge_id == Challenge.id)
                             .where(Enrolment.user_id == person.id).order_by(col(Challenge.starts_at).desc())))


@dataclass(frozen=True)
class HistoryRow:
    created_at: datetime
    challenge: str
    amount: int
    what: str  # "Mission completed: Read the postmortem", "Correction by Ada: ..."
    is_adjustment: bool


def points_history(session: Session, person: User, limit: int = HISTORY_LENGTH,
                   challenge_ids: frozenset[int] | None = None, correction_details: bool = True) -> list[HistoryRow]:
    """The person's ledger, newest first, each event with what earned it (and for a correction, why and who).

    `challenge_ids`: only these challenges (None: all). `correction_details`: False on someone else's page,
    where a correction says only that an admin made one (its reason is between the person and the admins)."""
    rows = session.exec(
        select(PointEvent, Challenge.title, Mission.title, PointAdjustment)
        .join(Challenge, Challenge.id == PointEvent.challenge_id)
        .outerjoin(Completion, and_(PointEvent.source_type == "completion", Completion.id == PointEvent.source_id))
        .outerjoin(Mission, Mission.id == Completion.mission_id)
        .outerjoin(PointAdjustment, and_(PointEvent.source_type == "adjustment",
                                         PointAdjustment.id == PointEvent.source_id))
        .where(PointEvent.user_id == person.id,
               *([col(PointEvent.challenge_id).in_(sorted(challenge_ids) or [-1])] if challenge_ids is not None else []))
        .order_by(col(PointEvent.created_at).desc(), col(PointEvent.id).desc()).limit(limit)).all()
    history = []
    for event, challenge, mission, adjustment in rows:
        what = REASON_LABELS.get(event.reason, event.reason.value)
        if mission:
            what = f"{what}: {mission}"
        if adjustment is not None:
            what = (f"Correction by {adjustment.admin_name}: {adjustment.reason}" if correction_details
                    else "Correction by an admin")
        history.append(HistoryRow(event.created_at, challenge, event.amount, what, adjustment is not None))
    return history


@dataclass(frozen=True)
class TrailRow:
    adjustment: PointAdjustment
    person: str
    person_id: int
    challenge: str


def adjustment_trail(session: Session, limit: int = HISTORY_LENGTH) -> list[TrailRow]:
    """Every correction of points, newest first: whose, in which challenge, how many, why and by whom."""
    rows = session.exec(
        select(PointAdjustment, User.display_name, Challenge.title)
        .join(User, User.id == PointAdjustment.user_id).join(Challenge, Challenge.id == PointAdjustment.challenge_id)
        .order_by(col(PointAdjustment.created_at).desc(), col(PointAdjustment.id).desc()).limit(limit)).all()
    return [TrailRow(adjustment, name, adjustment.user_id, title) for adjustment, name, title in rows]
