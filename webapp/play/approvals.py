"""Lead approval of evidence: a completion of an `approval: lead` mission waits as PENDING until a lead of the
person's team (or an admin) approves it, or sends it back with feedback for the person to resubmit.

Approving is the moment the completion counts: points, skill XP (derived from that ledger row), badges and
the reflection prompt, exactly once. The completion row is locked first (BEGIN IMMEDIATE on SQLite), so two
leads clicking at once take turns and the second finds it approved already. Refusals change nothing:
ApprovalRefused says why; NotFound hides completions outside the reviewer's teams.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from ..db import take_write_lock
from ..jobs import every_minute
from ..models import (
    Challenge,
    Completion,
    CompletionStatus,
    Mission,
    Notification,
    Role,
    Team,
    User,
    utcnow,
)
from ..monitoring.rollups import count_approved
from ..reflection.queries import led_team_ids
from ..problems import NotFound
from .badges import AwardedBadge
from ..notifications.delivery import store
from .missions import CompletionRefused, _check_evidence, award_completion

FEEDBACK_MAX = 2000
BULK_MAX = 100


class ApprovalRefused(ValueError):
    """The approval step does not happen; `message` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class ApprovalResult:
    completion: Completion
    already: bool = False  # someone approved it first: nothing was awarded now
    badges: list[AwardedBadge] = field(default_factory=list)


@dataclass
class QueueItem:
    completion: Completion
    mission: Mission
    person: User
    team: Team
    challenge: Challenge


def reviewable_team_ids(session: Session, reviewer: User) -> set[int] | None:
    """The teams whose evidence `reviewer` approves; None means every team (an admin)."""
    if reviewer.role == Role.ADMIN:
        return None
    return led_team_ids(session, reviewer.id)


def approval_queue(session: Session, reviewer: User, status: CompletionStatus = CompletionStatus.PENDING,
                   limit: int = 200) -> list[QueueItem]:
    """Completions waiting in the reviewer's teams, oldest first; their own evidence is never in it."""
    query = (select(Completion, Mission, User, Team, Challenge)
             .join(Mission, Mission.id == Completion.mission_id)
             .join(User, User.id == Completion.user_id)
             .join(Team, Team.id == Completion.team_id)
             .join(Challenge, Challenge.id == Completion.challenge_id)
             .where(Completion.status == status, Completion.user_id != reviewer.id))
    teams = reviewable_team_ids(session, reviewer)
    if teams is not None:
        query = query.where(col(Completion.team_id).in_(sorted(teams) or [-1]))
    rows = session.exec(query.order_by(Completion.created_at, Completion.id).limit(limit)).all()
    return [QueueItem(*row) for row in rows]


def waiting_count(session: Session, reviewer: User) -> int:
    query = select(func.count()).select_from(Completion).where(
        Completion.status == CompletionStatus.PENDING, Completion.user_id != reviewer.id)
    teams = reviewable_team_ids(session, reviewer)
    if teams is not None:
        query = query.where(col(Completion.team_id).in_(sorted(teams) or [-1]))
    return int(session.exec(query).one())


def _locked(session: Session, completion_id: int) -> Completion | None:
    """The completion, locked until commit and read afresh (a parallel approval may have just changed it)."""
    take_write_lock(session)
    return session.exec(select(Completion).where(Completion.id == completion_id).with_for_update()
                        .execution_options(populate_existing=True)).first()


def _for_reviewer(session: Session, reviewer: User, completion_id: int) -> Completion:
    completion = _locked(session, completion_id)
    teams = reviewable_team_ids(session, reviewer)
    if completion is None or (teams is not None and completion.team_id not in teams):
        raise NotFound
    if completion.user_id == reviewer.id:
        raise ApprovalRefused("Nobody approves their own evidence: another lead or an admin will.")
    return completion


def approve(session: Session, reviewer: User, completion_id: int, now: datetime | None = None) -> ApprovalResult:
    """Approve pending evidence and award what it earns; approved already: nothing more. Caller commits.

    Raises NotFound or ApprovalRefused (own evidence, or sent back and not resubmitted yet)."""
    completion = _for_reviewer(session, reviewer, completion_id)
    return _approve(session, completion, reviewer.id, now or utcnow())


def _approve(session: Session, completion: Completion, reviewer_id: int | None, now: datetime) -> ApprovalResult:
    if completion.status == CompletionStatus.APPROVED:
        return ApprovalResult(completion, already=True)
    if completion.status == CompletionStatus.SENT_BACK:
        raise ApprovalRefused("This evidence was sent back; it can be approved once the person resubmits it.")
    mission = session.get(Mission, completion.mission_id)
    challenge = session.get(Challenge, completion.challenge_id)
    completion.status = CompletionStatus.APPROVED
    completion.reviewed_by_id = reviewer_id
    completion.reviewed_at = now
    completion.points_awarded = mission.points
    session.add(completion)
    session.flush()
    count_approved(session, completion)
    badges = award_completion(session, completion, mission, challenge, now)
    text = f"Approved: {mission.title}, +{mission.points} points."
    text += "".join(f" Badge earned: {awarded.badge.name}!" for awarded in badges)
    store(session, "approval_decided", [completion.user_id], text, source=f"completion-approved:{completion.id}",
          link=f"/play/challenges/{challenge.id}")
    return ApprovalResult(completion, badges=badges)


def approve_many(session: Session, reviewer: User, completion_ids: list[int], now: datetime | None = None) -> int:
    """Approve each pending completion among `completion_ids` the reviewer may approve; returns how many."""
    now = now or utcnow()
    approved = 0
    for completion_id in sorted(set(completion_ids))[:BULK_MAX]:
        try:
            result = approve(session, reviewer, completion_id, now)
        except (NotFound, ApprovalRefused):
            continue
        approved += 0 if result.already else 1
    return approved


def send_back(session: Session, reviewer: User, completion_id: int, feedback: str,
              now: datetime | None = None) -> Completion:
    """Return pending evidence to the person with feedback (required) on what would make it count."""
    completion = _for_reviewer(session, reviewer, completion_id)  # first: other teams learn nothing, not even 422
    text = (feedback or "").strip()
    if not text:
        raise ApprovalRefused("Write what would make this evidence count: the person reads it before resubmitting.")
    if len(text) > FEEDBACK_MAX:
        raise ApprovalRefused(f"Keep the feedback under {FEEDBACK_MAX} characters.")
    if completion.status != CompletionStatus.PENDING:
        raise ApprovalRefused(f"Only pending evidence can be sent back; this is {completion.status.value.replace('_', ' ')}.")
    completion.status = CompletionStatus.SENT_BACK
    completion.review_feedback = text
    completion.reviewed_by_id = reviewer.id
    completion.reviewed_at = now or utcnow()
    session.add(completion)
    mission = session.get(Mission, completion.mission_id)
    # Keyed by the moment it was sent back: evidence can go back again after each resubmission.
    store(session, "approval_decided", [completion.user_id],
          f"Sent back with feedback: {mission.title if mission else 'your evidence'}. {text}",
          source=f"completion-sent-back:{completion.id}:{int(completion.reviewed_at.timestamp())}",
          link=f"/play/challenges/{completion.challenge_id}")
    return completion


def resubmit(session: Session, user: User, completion_id: int, evidence_text: str, evidence_url: str | None) -> Completion:
    """The person answers the feedback with new evidence; it waits for approval again. Raises NotFound
    (not their completion) or CompletionRefused (bad evidence, or not sent back)."""
    completion = _locked(session, completion_id)
    if completion is None or completion.user_id != user.id:
        raise NotFound
    if completion.status != CompletionStatus.SENT_BACK:
        raise CompletionRefused("This evidence is not waiting for changes.")
    mission = session.get(Mission, completion.mission_id)
    text, url = _check_evidence(mission, evidence_text, evidence_url)
    completion.evidence_text, completion.evidence_url = text, url
    completion.status = CompletionStatus.PENDING
    session.add(completion)
    return completion


def my_open_completions(session: Session, user: User, challenge_id: int) -> list[tuple[Completion, Mission]]:
    """The person's evidence waiting for a lead or sent back to them in this challenge."""
    return list(session.exec(
        select(Completion, Mission).join(Mission, Mission.id == Completion.mission_id)
        .where(Completion.user_id == user.id, Completion.challenge_id == challenge_id,
               col(Completion.status).in_([CompletionStatus.PENDING.value, CompletionStatus.SENT_BACK.value]))
        .order_by(Completion.created_at, Completion.id)).all())


def unseen_approvals(session: Session, user: User) -> list[Notification]:
    return list(session.exec(select(Notification).where(
        Notification.user_id == user.id, col(Notification.source).startswith("completion-approved:"),
        col(Notification.read_at).is_(None)).order_by(Notification.id)).all())


def mark_approvals_seen(session: Session, user: User, now: datetime | None = None) -> None:
    for note in unseen_approvals(session, user):
        note.read_at = now or utcnow()
        session.add(note)


@every_minute
def auto_approve_due(session: Session, now: datetime | None = None) -> int:
    """Approve pending evidence older than its challenge's auto_approve_days; returns how many. Caller commits."""
    now = now or utcnow()
    approved = 0
    for challenge in session.exec(select(Challenge).where(col(Challenge.auto_approve_days).is_not(None))).all():
        cutoff = now - timedelta(days=challenge.auto_approve_days)
        ids = session.exec(select(Completion.id).where(
            Completion.challenge_id == challenge.id, Completion.status == CompletionStatus.PENDING,
            Completion.created_at <= cutoff)).all()
        for completion_id in ids:
            completion = _locked(session, completion_id)
            if completion is not None and completion.status == CompletionStatus.PENDING:
                _approve(session, completion, None, now)
                approved += 1
    return approved
