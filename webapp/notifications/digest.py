"""The weekly digest: once per person and ISO week of their own zone, at DIGEST_HOUR on DIGEST_WEEKDAY local time.

A tick step. It picks the zones where it is that hour now, builds the digests of their people in batches
(a few grouped statements per batch, not per person) and queues them for the email job. A `digest_sent` row
per person and week, written with the messages, stops a second send; someone with nothing new gets the row
and no message.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ..db import insert_rows
from ..jobs import SEND_EMAIL, enqueue, every_minute
from ..models import (
    Challenge, ChallengeStatus, DigestSent, Email, Enrolment, Notification, PointEvent, PromptStatus,
    ReflectionPrompt, Team, User, utcnow,
)
from ..settings import Settings, get_settings
from .delivery import absolute, base_url, compose_for
from .kinds import DIGEST, KINDS
from .preferences import defaults, digest_choices
from .zones import iso_week, zones_at

BATCH = 500
WEEK = timedelta(days=7)


@dataclass
class Digest:
    user: User
    week: str
    points: int = 0
    prompts: int = 0
    items: list[dict] = field(default_factory=list)
    standings: list[str] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)

    @property
    def has_news(self) -> bool:
        return bool(self.points or self.prompts or self.items)


@every_minute
def send_digests(session: Session, now: datetime | None = None) -> int:
    """Tick step: queue the digest of everyone whose local digest hour it is and who has not had this week's.
    Returns how many messages it queued."""
    now = now or utcnow()
    settings = get_settings()
    queued = 0
    for name, local in zones_at(session, now, settings.digest_hour, settings.digest_weekday).items():
        week = iso_week(local)
        done = select(DigestSent.user_id).where(DigestSent.week == week)
        ids = list(session.exec(select(User.id).where(User.timezone == name, col(User.is_active).is_(True),
                                                      col(User.id).not_in(done)).order_by(User.id)).all())
        session.commit()  # ends the read, so the batches below are transactions of their own
        for start in range(0, len(ids), BATCH):
            queued += _send_batch(session, ids[start:start + BATCH], week, now, settings)
    return queued


def _send_batch(session: Session, user_ids: list[int], week: str, now: datetime, settings: Settings) -> int:
    try:
        digests = build_digests(session, user_ids, week, now)
        messages = [_message(digest, settings) for digest in digests if digest.has_news]
        email_ids = insert_rows(session, Email, messages, returning=Email.id) if messages else []
        by_user = dict(zip([digest.user.id for digest in digests if digest.has_news], email_ids))
        insert_rows(session, DigestSent, [{"user_id": user_id, "week": week, "email_id": by_user.get(user_id)}
                                          for user_id in user_ids])
        if email_ids:
            enqueue(session, SEND_EMAIL, f"email:{email_ids[0]}", fresh=True, email_ids=email_ids)
        session.commit()
    except IntegrityError:  # another scheduler sent this batch's digests first: theirs stand
        session.rollback()
        return 0
    return len(email_ids)


def build_digests(session: Session, user_ids: list[int], week: str, now: datetime) -> list[Digest]:
    """The digests of these people (those who turned the digest off get none), in a few grouped statements."""
    since = now - WEEK
    chosen = digest_choices(session, user_ids)

    def wants(user_id: int, kind: str, part: int) -> bool:
        return chosen.get(user_id, {}).get(kind, defaults(kind))[part]

    users = [user for user in session.exec(select(User).where(col(User.id).in_(user_ids)).order_by(User.id))
             if wants(user.id, DIGEST, 0)]
    digests = {user.id: Digest(user, week) for user in users}
    ids = sorted(digests)
    if not ids:
        return []
    for user_id, points in session.exec(select(PointEvent.user_id, func.sum(PointEvent.amount)).where(
            col(PointEvent.user_id).in_(ids), PointEvent.created_at >= since,
            PointEvent.created_at < now).group_by(PointEvent.user_id)):
        digests[user_id].points = int(points or 0)
    for user_id, waiting in session.exec(select(ReflectionPrompt.user_id, func.count()).where(
            col(ReflectionPrompt.user_id).in_(ids), ReflectionPrompt.status == PromptStatus.READY)
            .group_by(ReflectionPrompt.user_id)):
        if wants(user_id, "prompt", 1):
            digests[user_id].prompts = int(waiting)
    for note in session.exec(select(Notification).where(
            col(Notification.user_id).in_(ids), Notification.created_at >= since, Notification.created_at < now,
            col(Notification.kind).in_([kind for kind in KINDS if kind != "prompt"])).order_by(Notification.id)):
        if wants(note.user_id, note.kind, 1) and len(digests[note.user_id].items) < 20:
            digests[note.user_id].items.append({"text": note.text, "link": note.link})
    _standings_and_next(session, digests, since, now)
    return [digests[user_id] for user_id in ids]


def _standings_and_next(session: Session, digests: dict[int, Digest], since: datetime, now: datetime) -> None:
    """Team standing this week and what is next, for each running challenge the person takes part in."""
    rows = session.exec(select(Enrolment.user_id, Enrolment.team_id, Challenge).join(
        Challenge, Challenge.id == Enrolment.challenge_id).where(
        col(Enrolment.user_id).in_(sorted(digests)), Challenge.status == ChallengeStatus.RUNNING)).all()
    if not rows:
        return
    challenge_ids = sorted({challenge.id for _, _, challenge in rows})
    totals: dict[int, list[tuple[int, int]]] = {}
    for challenge_id, team_id, points in session.exec(
            select(PointEvent.challenge_id, PointEvent.team_id, func.sum(PointEvent.amount))
            .where(col(PointEvent.challenge_id).in_(challenge_ids), PointEvent.created_at >= since,
                   PointEvent.created_at < now)
            .group_by(PointEvent.challenge_id, PointEvent.team_id)):
        totals.setdefault(challenge_id, []).append((int(points or 0), team_id))
    team_ids = {team_id for _, team_id, _ in rows}
    names = dict(session.exec(select(Team.id, Team.name).where(col(Team.id).in_(sorted(team_ids)))).all())
    for user_id, team_id, challenge in rows:
        digest = digests[user_id]
        board = sorted(totals.get(challenge.id, []), reverse=True)
        ranks = [team for _, team in board]
        if team_id in ranks:
            digest.standings.append(f"{names.get(team_id, 'Your team')} is number {ranks.index(team_id) + 1} of "
                                    f"{len(ranks)} teams this week in “{challenge.title}”.")
        ends = challenge.ends_at if challenge.ends_at.tzinfo else challenge.ends_at.replace(tzinfo=now.tzinfo)
        days = max(0, (ends - now).days)
        digest.next_steps.append(f"“{challenge.title}”: {days} day{'s' if days != 1 else ''} left. "
                                 f"Pick your next mission.")


def _message(digest: Digest, settings: Settings) -> dict:
    items = [{"text": item["text"], "link": absolute(item["link"], settings) if item["link"] else None}
             for item in digest.items]
    return compose_for(digest.user, "digest", f"Your week on Learnloop ({digest.week})", DIGEST, settings,
                       week=digest.week, points=digest.points, prompts=digest.prompts, items=items,
                       standings=digest.standings, next_steps=digest.next_steps, base_url=base_url(settings))
