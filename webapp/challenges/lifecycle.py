"""A challenge's life: draft -> published -> running -> closed -> archived, by hand and by the clock."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from ..jobs import CHALLENGE_CLOSED, enqueue, every_minute
from ..models import Challenge, ChallengeStatus, ChallengeTeam, Mission, utcnow
from ..outbound import events as outbound
from ..problems import Invalid

S = ChallengeStatus
# Which statuses a person may move a challenge to from each status.
TRANSITIONS: dict[ChallengeStatus, tuple[ChallengeStatus, ...]] = {
    S.DRAFT: (S.PUBLISHED,),
    S.PUBLISHED: (S.DRAFT, S.CLOSED),
    S.RUNNING: (S.CLOSED,),
    S.CLOSED: (S.ARCHIVED,),
    S.ARCHIVED: (),
}
CLOSED_JOB = CHALLENGE_CLOSED


def allowed_moves(challenge: Challenge) -> tuple[ChallengeStatus, ...]:
    return TRANSITIONS[challenge.status]


def move(session: Session, challenge: Challenge, to: ChallengeStatus, now: datetime | None = None) -> None:
    """Move the challenge to status `to` as a person asked. Raises Invalid when the move is not allowed."""
    to = ChallengeStatus(to)
    if to not in TRANSITIONS[challenge.status]:
        raise Invalid.one("status", f"A {challenge.status.value} challenge cannot become {to.value}.")
    {S.PUBLISHED: publish, S.DRAFT: unpublish, S.CLOSED: close, S.ARCHIVED: archive}[to](session, challenge, now)


def publish(session: Session, challenge: Challenge, now: datetime | None = None) -> None:
    """Show the challenge to its teams. Raises Invalid unless it has teams, missions and an end in the future."""
    now = now or utcnow()
    teams = session.exec(select(func.count()).select_from(ChallengeTeam)
                         .where(ChallengeTeam.challenge_id == challenge.id)).one()
    missions = session.exec(select(func.count()).select_from(Mission).where(
        Mission.challenge_id == challenge.id, col(Mission.retired_at).is_(None))).one()
    if not teams:
        raise Invalid.one("status", "Add at least one team before publishing: nobody would see it.")
    if not missions:
        raise Invalid.one("status", "Add at least one mission before publishing: there would be nothing to do.")
    if challenge.ends_at <= now:
        raise Invalid.one("status", "The end date has passed; move it into the future before publishing.")
    _set(session, challenge, S.PUBLISHED)
    if challenge.starts_at <= now:
        _start(session, challenge)


def unpublish(session: Session, challenge: Challenge, now: datetime | None = None) -> None:
    _set(session, challenge, S.DRAFT)


def close(session: Session, challenge: Challenge, now: datetime | None = None) -> None:
    """End the challenge (early, when a person does it) and ask for the end-of-challenge work once."""
    now = now or utcnow()
    if challenge.ends_at > now:
        challenge.ends_at = now
    _set(session, challenge, S.CLOSED)
    enqueue(session, CLOSED_JOB, f"challenge-closed:{challenge.id}", challenge_id=challenge.id)


def archive(session: Session, challenge: Challenge, now: datetime | None = None) -> None:
    _set(session, challenge, S.ARCHIVED)


@every_minute
def advance_challenges(session: Session, now: datetime | None = None) -> int:
    """Tick step: start published challenges at starts_at, close running ones at ends_at. Returns how many moved."""
    now = now or utcnow()
    moved = 0
    starting = session.exec(select(Challenge).where(Challenge.status == S.PUBLISHED, Challenge.starts_at <= now))
    for challenge in starting.all():
        _start(session, challenge)
        moved += 1
    ending = session.exec(select(Challenge).where(Challenge.status == S.RUNNING, Challenge.ends_at <= now))
    for challenge in ending.all():
        close(session, challenge, now)
        moved += 1
    return moved


def _start(session: Session, challenge: Challenge) -> None:
    """Running from now on: tell the members of its teams (once, whatever moved it)."""
    from ..notifications.delivery import notify

    _set(session, challenge, S.RUNNING)
    teams = session.exec(select(ChallengeTeam.team_id).where(ChallengeTeam.challenge_id == challenge.id)).all()
    notify(session, "challenge_starting", f"“{challenge.title}” has started: join in and pick your first mission.",
           source=f"challenge-started:{challenge.id}", team_ids=teams, link=f"/play/challenges/{challenge.id}")


def _set(session: Session, challenge: Challenge, status: ChallengeStatus) -> None:
    old = challenge.status
    challenge.status = status
    challenge.updated_at = utcnow()
    session.add(challenge)
    if old != status:
        outbound.challenge_state_changed(session, challenge, old, status)

