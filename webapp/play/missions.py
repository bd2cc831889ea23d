"""Completing a mission: the rules that make points fair, and the one place that applies them.

Refusals (all change nothing and say why): not enrolled, challenge not running, retired mission,
evidence missing, link not http(s), completion limit reached, cooldown not over, and the daily
point cap. A completion that would take the day's completion points past the challenge's cap is
refused whole rather than stored with fewer points, so a completion always pays its mission's
points and the page can say plainly why it did not count. The cap counts completion points only
(kudos a person receives cannot use up their day), per local day in the user's own time zone.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlparse

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ..db import take_write_lock
from ..jobs import PROMPT_FOR_COMPLETION, enqueue
from ..models import (
    Cadence,
    Challenge,
    ChallengeStatus,
    Completion,
    CompletionStatus,
    Enrolment,
    Mission,
    MissionApproval,
    PointEvent,
    PointReason,
    User,
    utcnow,
)
from ..outbound import events as outbound
from .access import visible_mission
from .badges import AwardedBadge, award_badges
from .clock import day_bounds, local_date, user_zone
from .events import PlayEvent, PlayEventKind
from .ledger import record_points, user_points
from .levels import Level, level_for
from .policy import CAPPED_REASONS

EVIDENCE_MAX = 5000
URL_MAX = 2000
KEY_MAX = 64


class CompletionRefused(ValueError):
    """The completion does not count; `message` says why, `field` names the form field if one is at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class CompletionResult:
    completion: Completion
    points: int
    total_points: int  # XP across all challenges, after this completion
    level: Level
    level_up: bool
    badges: list[AwardedBadge] = field(default_factory=list)
    repeated: bool = False  # the same form was sent again: this is the original result
    mission: Mission | None = None

    @property
    def pending(self) -> bool:
        """The evidence waits for a lead: nothing is awarded until they approve it."""
        return self.completion.status != CompletionStatus.APPROVED


def complete_mission(session: Session, user: User, mission_id: int, evidence_text: str, evidence_url: str | None,
                     idempotency_key: str, now: datetime | None = None) -> CompletionResult:
    """Record the completion and its points, award badges, and ask for a reflection prompt; caller commits.

    Raises NotFound (not a mission of the user's challenges) or CompletionRefused. Sending the same
    idempotency key again returns the original result instead of counting twice.
    """
    now = now or utcnow()
    key = (idempotency_key or "").strip()
    if not key or len(key) > KEY_MAX:
        raise CompletionRefused("This form has expired. Reload the page and try again.")
    take_write_lock(session)
    mission, challenge = visible_mission(session, user, mission_id)
    enrolment = _lock_enrolment(session, user, challenge.id)
    # Looked up only once the lock is held: by then an identical request sent earlier has finished.
    original = _by_key(session, key)
    if original is not None:
        return _repeat(session, user, original, mission)

    text, url = _check_evidence(mission, evidence_text, evidence_url)
    _check_rules(session, user, challenge, mission, now)

    xp_before = user_points(session, user.id)
    pending = mission.approval == MissionApproval.LEAD
    completion = Completion(idempotency_key=key, mission_id=mission.id, challenge_id=challenge.id, user_id=user.id,
                            team_id=enrolment.team_id, evidence_text=text, evidence_url=url,
                            points_awarded=0 if pending else mission.points, created_at=now,
                            status=CompletionStatus.PENDING if pending else CompletionStatus.APPROVED)
    try:
        with session.begin_nested():
            session.add(completion)
    except IntegrityError:  # the same key committed in between (SQLite has no row lock to wait on)
        original = _by_key(session, key)
        if original is None:
            raise
        return _repeat(session, user, original, mission)
    if pending:  # points, badges and the prompt wait for the lead's approval (play/approvals.py)
        level = level_for(xp_before)
        return CompletionResult(completion=completion, points=0, total_points=xp_before, level=level, level_up=False,
                                mission=mission)
    badges = award_completion(session, completion, mission, challenge, now, new_source=True, xp_before=xp_before)
    total = xp_before + mission.points
    level = level_for(total)
    return CompletionResult(completion=completion, points=mission.points, total_points=total, level=level,
                            level_up=level.number > level_for(xp_before).number, badges=badges, mission=mission)


def award_completion(session: Session, completion: Completion, mission: Mission, challenge: Challenge,
                     now: datetime, new_source: bool = False, xp_before: int | None = None) -> list[AwardedBadge]:
    """What a counted completion earns: its ledger row (which skill XP derives from, and which tells of a level
    reached), badges, the reflection prompt. The ledger row is unique per completion, so a second call awards
    nothing and returns []. `xp_before`: the person's XP before it, if the caller read it already."""
    events = [PlayEvent(PlayEventKind.MISSION_COMPLETED, completion.user_id, completion.team_id, challenge.id)]
    if mission.points > 0:
        event = record_points(session, user_id=completion.user_id, team_id=completion.team_id,
                              challenge_id=challenge.id, amount=mission.points, reason=PointReason.COMPLETION,
                              source_type="completion", source_id=completion.id, created_at=now,
                              new_source=new_source, xp_before=xp_before)
        if event is None:
            return []
        events.append(PlayEvent(PlayEventKind.POINTS_RECORDED, completion.user_id, completion.team_id, challenge.id))
    badges = award_badges(session, events)
    outbound.completion_recorded(session, completion, mission, challenge)
    if challenge.reflection_cadence == Cadence.AFTER_EACH:
        enqueue(session, PROMPT_FOR_COMPLETION, f"reflection-prompt:completion:{completion.id}",
                fresh=new_source, completion_id=completion.id)
    return badges


def _by_key(session: Session, key: str) -> Completion | None:
    return session.exec(select(Completion).where(Completion.idempotency_key == key)).first()


def _repeat(session: Session, user: User, original: Completion, mission: Mission) -> CompletionResult:
    if original.user_id != user.id:
        raise CompletionRefused("This form has already been used. Reload the page and try again.")
    total = user_points(session, user.id)
    return CompletionResult(completion=original, points=original.points_awarded, total_points=total,
                            level=level_for(total), level_up=False, repeated=True, mission=mission)


def _lock_enrolment(session: Session, user: User, challenge_id: int) -> Enrolment:
    """The user's enrolment, locked until commit: one person's completions in a challenge take turns,
    so limits, cooldowns and the daily cap hold under parallel requests (SQLite ignores FOR UPDATE: there
    the caller has taken the database's write lock first)."""
    enrolment = session.exec(select(Enrolment).where(
        Enrolment.challenge_id == challenge_id, Enrolment.user_id == user.id).with_for_update()).first()
    if enrolment is None:
        raise CompletionRefused("Join this challenge with your team before completing its missions.")
    return enrolment


def _check_evidence(mission: Mission, evidence_text: str | None, evidence_url: str | None) -> tuple[str, str | None]:
    text = (evidence_text or "").strip()
    url = (evidence_url or "").strip() or None
    if len(text) > EVIDENCE_MAX:
        raise CompletionRefused(f"Keep the evidence under {EVIDENCE_MAX} characters.", "evidence_text")
    if url is not None:
        parsed = urlparse(url)
        if len(url) > URL_MAX or parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise CompletionRefused("The link must start with http:// or https://.", "evidence_url")
    if mission.evidence_required and not text:
        raise CompletionRefused("Describe what you did: this mission needs evidence.", "evidence_text")
    return text, url


def _check_rules(session: Session, user: User, challenge: Challenge, mission: Mission, now: datetime) -> None:
    if challenge.status != ChallengeStatus.RUNNING:
        when = "has not started yet" if challenge.status == ChallengeStatus.PUBLISHED else "has ended"
        raise CompletionRefused(f"This challenge {when}; missions count only while it runs.")
    if mission.retired_at is not None:
        raise CompletionRefused("This mission has been retired and no longer counts.")
    mine = select(Completion).where(Completion.user_id == user.id, Completion.mission_id == mission.id)
    if mission.max_completions is not None:
        done = session.exec(select(func.count()).select_from(mine.subquery())).one()
        if done >= mission.max_completions:
            times = "once" if mission.max_completions == 1 else f"{mission.max_completions} times"
            raise CompletionRefused(f"You have already completed this mission {times}, its limit.")
    if mission.cooldown_hours:
        last = session.exec(select(func.max(Completion.created_at)).where(
            Completion.user_id == user.id, Completion.mission_id == mission.id)).one()
        if last is not None and now < last + timedelta(hours=mission.cooldown_hours):
            wait = last + timedelta(hours=mission.cooldown_hours) - now
            hours, minutes = divmod(int(wait.total_seconds()) // 60 + 1, 60)
            left = f"{hours} h {minutes} min" if hours else f"{minutes} min"
            raise CompletionRefused(f"This mission has a {mission.cooldown_hours}-hour cooldown; try again in {left}.")
    if challenge.daily_point_cap is not None and mission.points > 0:
        earned = points_today(session, user, challenge.id, now)
        if earned + mission.points > challenge.daily_point_cap:
            raise CompletionRefused(
                f"Daily cap reached: you earned {earned} of {challenge.daily_point_cap} points today in this "
                f"challenge, and this mission gives {mission.points}. It counts again tomorrow.")


def points_today(session: Session, user: User, challenge_id: int, now: datetime | None = None) -> int:
    """Completion points earned in the challenge during the user's current local day."""
    zone = user_zone(user)
    start, end = day_bounds(local_date(now or utcnow(), zone), zone)
    return int(session.exec(select(func.coalesce(func.sum(PointEvent.amount), 0)).where(
        PointEvent.user_id == user.id, PointEvent.challenge_id == challenge_id,
        col(PointEvent.reason).in_(CAPPED_REASONS),
        PointEvent.created_at >= start, PointEvent.created_at < end)).one())
