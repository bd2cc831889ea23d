"""The team feed: teammates' completions and team-shared reflections, with kudos and constructive feedback.

Kudos: one per person per item, never to oneself (both also enforced by the database); the
receiver gets KUDOS_POINTS (webapp/play/policy.py) through the ledger, once per kudos. Feedback: non-empty, at most
FEEDBACK_MAX characters, on a teammate's item. Giving feedback completes the challenge's first
open feedback mission for the author, with the feedback as evidence (the mission's limits,
cooldown and daily cap still apply; when they refuse, the feedback is kept and simply does not
complete a mission). Both act only while the challenge runs. Private reflections never appear.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ..db import take_write_lock
from ..models import (
    ChallengeStatus,
    Completion,
    CompletionStatus,
    Feedback,
    Kudos,
    Membership,
    Mission,
    MissionKind,
    PointReason,
    Reflection,
    User,
    Visibility,
    utcnow,
)
from ..notifications.delivery import notify
from ..text import web_link
from ..problems import NotFound
from .access import visible_challenge
from .badges import award_badges
from .events import PlayEvent, PlayEventKind
from .ledger import record_points
from .policy import KUDOS_POINTS
from .missions import KEY_MAX, CompletionRefused, CompletionResult, complete_mission
from ..outbound import events as outbound

ITEM_TYPES = ("completion", "reflection")
FEEDBACK_MAX = 1000
FEED_LENGTH = 30


class FeedRefused(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class FeedItemRef:
    item_type: str
    item_id: int
    challenge_id: int
    team_id: int
    author_id: int


@dataclass
class FeedItem:
    item_type: str
    item_id: int
    author_id: int
    author: str
    created_at: datetime
    title: str  # the mission's title, or "Reflection"
    kind: str | None
    body: str
    link: str | None = None
    kudos: int = 0
    kudos_by_me: bool = False
    feedback: list[tuple[str, str, datetime]] = field(default_factory=list)


def find_item(session: Session, viewer: User, item_type: str, item_id: int) -> FeedItemRef:
    """A feed item of one of the viewer's teams. Raises NotFound otherwise (incl. private reflections)."""
    if item_type == "completion":
        row = session.get(Completion, item_id)
        if row is not None and row.status != CompletionStatus.APPROVED:  # evidence a lead has not approved yet
            row = None
    elif item_type == "reflection":
        row = session.get(Reflection, item_id)
        if row is not None and row.visibility != Visibility.TEAM:
            row = None
    else:
        row = None
    if row is None:
        raise NotFound
    is_member = session.exec(select(Membership.id).where(
        Membership.user_id == viewer.id, Membership.team_id == row.team_id)).first()
    if is_member is None:
        raise NotFound
    visible_challenge(session, viewer, row.challenge_id)
    return FeedItemRef(item_type, item_id, row.challenge_id, row.team_id, row.user_id)


def team_feed(session: Session, viewer: User, challenge_id: int, team_id: int, limit: int = FEED_LENGTH) -> list[FeedItem]:
    """Newest first: the team's completions and team-shared reflections in the challenge."""
    items: list[FeedItem] = []
    completions = session.exec(
        select(Completion, Mission.title, Mission.kind, User.display_name)
        .join(Mission, Mission.id == Completion.mission_id).join(User, User.id == Completion.user_id)
        .where(Completion.challenge_id == challenge_id, Completion.team_id == team_id,
               Completion.status == CompletionStatus.APPROVED)
        .order_by(col(Completion.created_at).desc()).limit(limit)).all()
    for completion, title, kind, author in completions:
        items.append(FeedItem("completion", completion.id, completion.user_id, author, completion.created_at, title,
                              kind.value if kind else None, completion.evidence_text,
                              web_link(completion.evidence_url)))
    reflections = session.exec(
        select(Reflection, User.display_name).join(User, User.id == Reflection.user_id)
        .where(Reflection.challenge_id == challenge_id, Reflection.team_id == team_id,
               Reflection.visibility == Visibility.TEAM)
        .order_by(col(Reflection.created_at).desc()).limit(limit)).all()
    for reflection, author in reflections:
        items.append(FeedItem("reflection", reflection.id, reflection.user_id, author, reflection.created_at,
                              "Reflection", None, reflection.body))
    items.sort(key=lambda item: item.created_at, reverse=True)
    items = items[:limit]
    for item_type in ITEM_TYPES:
        ids = [item.item_id for item in items if item.item_type == item_type]
        if not ids:
            continue
        by_id = {item.item_id: item for item in items if item.item_type == item_type}
        for item_id, count in session.exec(select(Kudos.item_id, func.count()).where(
                Kudos.item_type == item_type, col(Kudos.item_id).in_(ids)).group_by(Kudos.item_id)):
            by_id[item_id].kudos = int(count)
        for item_id in session.exec(select(Kudos.item_id).where(
                Kudos.item_type == item_type, col(Kudos.item_id).in_(ids), Kudos.giver_id == viewer.id)):
            by_id[item_id].kudos_by_me = True
        for item_id, name, body, created in session.exec(
                select(Feedback.item_id, User.display_name, Feedback.body, Feedback.created_at)
                .join(User, User.id == Feedback.author_id)
                .where(Feedback.item_type == item_type, col(Feedback.item_id).in_(ids))
                .order_by(Feedback.created_at)):
            by_id[item_id].feedback.append((name, body, created))
    return items


def _check_running(session: Session, viewer: User, ref: FeedItemRef) -> None:
    challenge = visible_challenge(session, viewer, ref.challenge_id)
    if challenge.status != ChallengeStatus.RUNNING:
        raise FeedRefused("This challenge is not running, so the feed is read-only.")


def give_kudos(session: Session, giver: User, item_type: str, item_id: int) -> tuple[Kudos, bool]:
    """(kudos, newly given). Giving twice returns the first kudos. Raises NotFound or FeedRefused."""
    ref = find_item(session, giver, item_type, item_id)
    if ref.author_id == giver.id:
        raise FeedRefused("Kudos are for teammates; you cannot give them to yourself.")
    _check_running(session, giver, ref)
    existing = _kudos_of(session, giver, ref)
    if existing is not None:
        return existing, False
    kudos = Kudos(giver_id=giver.id, receiver_id=ref.author_id, challenge_id=ref.challenge_id,
                  item_type=item_type, item_id=item_id)
    try:
        with session.begin_nested():
            session.add(kudos)
    except IntegrityError:  # a parallel click
        return _kudos_of(session, giver, ref), False
    record_points(session, user_id=ref.author_id, team_id=ref.team_id, challenge_id=ref.challenge_id,
                  amount=KUDOS_POINTS, reason=PointReason.KUDOS_RECEIVED, source_type="kudos", source_id=kudos.id)
    award_badges(session, [PlayEvent(PlayEventKind.KUDOS_GIVEN, giver.id, ref.team_id, ref.challenge_id, ref.author_id),
                           PlayEvent(PlayEventKind.POINTS_RECORDED, ref.author_id, ref.team_id, ref.challenge_id)])
    notify(session, "kudos", f"{giver.display_name} gave you kudos (+{KUDOS_POINTS} points).",
           source=f"kudos:{kudos.id}", user_ids=[ref.author_id], link=f"/play/challenges/{ref.challenge_id}/feed",
           fresh=True)
    return kudos, True


def _kudos_of(session: Session, giver: User, ref: FeedItemRef) -> Kudos | None:
    return session.exec(select(Kudos).where(Kudos.giver_id == giver.id, Kudos.item_type == ref.item_type,
                                            Kudos.item_id == ref.item_id)).first()


@dataclass
class FeedbackResult:
    feedback: Feedback
    mission: CompletionResult | None = None


def give_feedback(session: Session, author: User, item_type: str, item_id: int, body: str,
                  idempotency_key: str) -> FeedbackResult:
    """Store constructive feedback on a teammate's item, and complete a feedback mission with it if one is open.

    Raises NotFound or FeedRefused. Sending the same form again (its idempotency key) stores it once and
    returns the first feedback, however many copies arrive at the same moment.
    """
    key = (idempotency_key or "").strip()
    take_write_lock(session)  # the key's look-up and the insert take turns with parallel copies on SQLite
    ref = find_item(session, author, item_type, item_id)
    text = (body or "").strip()
    if not text:
        raise FeedRefused("Write your feedback before sending it.", "body")
    if len(text) > FEEDBACK_MAX:
        raise FeedRefused(f"Keep feedback under {FEEDBACK_MAX} characters (yours has {len(text)}).", "body")
    if not key or len(key) > KEY_MAX:
        raise FeedRefused("This form has expired. Reload the page and try again.")
    if ref.author_id == author.id:
        raise FeedRefused("Feedback is for teammates' work, not your own.")
    _check_running(session, author, ref)
    original = _feedback_by_key(session, author, key)
    if original is not None:
        return FeedbackResult(original)
    feedback = Feedback(idempotency_key=key, author_id=author.id, receiver_id=ref.author_id,
                        challenge_id=ref.challenge_id, item_type=item_type, item_id=item_id, body=text,
                        created_at=utcnow())
    try:
        with session.begin_nested():
            session.add(feedback)
    except IntegrityError:  # the same form committed in between (PostgreSQL: no lock is held for feedback)
        original = _feedback_by_key(session, author, key)
        if original is None:
            raise
        return FeedbackResult(original)
    award_badges(session, [PlayEvent(PlayEventKind.FEEDBACK_GIVEN, author.id, ref.team_id, ref.challenge_id,
                                     ref.author_id)])
    outbound.feedback_given(session, feedback)
    notify(session, "feedback", f"{author.display_name} gave you feedback: {text[:200]}",
           source=f"feedback:{feedback.id}", user_ids=[ref.author_id], link=f"/play/challenges/{ref.challenge_id}/feed",
           fresh=True)
    return FeedbackResult(feedback, _complete_feedback_mission(session, author, ref, feedback))


def _feedback_by_key(session: Session, author: User, key: str) -> Feedback | None:
    original = session.exec(select(Feedback).where(Feedback.idempotency_key == key)).first()
    if original is not None and original.author_id != author.id:
        raise FeedRefused("This form has already been used. Reload the page and try again.")
    return original


def _complete_feedback_mission(session: Session, author: User, ref: FeedItemRef,
                               feedback: Feedback) -> CompletionResult | None:
    receiver = session.get(User, ref.author_id)
    missions = session.exec(select(Mission).where(
        Mission.challenge_id == ref.challenge_id, Mission.kind == MissionKind.FEEDBACK,
        col(Mission.retired_at).is_(None)).order_by(Mission.position, Mission.id)).all()
    for mission in missions:
        try:
            with session.begin_nested():
                return complete_mission(session, author, mission.id,
                                        f"Feedback to {receiver.display_name if receiver else 'a teammate'}: {feedback.body}",
                                        None, f"feedback:{feedback.id}")
        except CompletionRefused:
            continue
    return None
