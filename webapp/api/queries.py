"""What the API reads, as plain functions over a session and the token's user (no request needed).

Each applies the same rule as the page that shows the same thing: `NotFound` where the page answers 404.
"""
from __future__ import annotations

from sqlalchemy import exists, func
from sqlmodel import Session, col, select

from ..models import (
    Challenge, ChallengeTeam, Completion, Membership, Mission, PointEvent, Role, Team, User,
)
from ..play.access import VISIBLE
from ..problems import NotFound


def visible_challenges(session: Session, user: User) -> list[Challenge]:
    """Challenges the user may open: those one of their teams takes part in (admins: all), not drafts or archived."""
    query = select(Challenge).where(col(Challenge.status).in_(VISIBLE)).order_by(col(Challenge.starts_at).desc(),
                                                                                 col(Challenge.id).desc())
    if user.role != Role.ADMIN:
        query = query.where(exists().where(ChallengeTeam.challenge_id == Challenge.id,
                                           ChallengeTeam.team_id == Membership.team_id, Membership.user_id == user.id))
    return list(session.exec(query))


def live_missions(session: Session, challenge_id: int) -> list[Mission]:
    """The challenge's missions as its page lists them (retired ones left out), in the admin's order."""
    return list(session.exec(select(Mission).where(Mission.challenge_id == challenge_id,
                                                   col(Mission.retired_at).is_(None))
                             .order_by(Mission.position, Mission.id)))


def visible_teams(session: Session, user: User) -> list[Team]:
    """Admins see every team; everyone else the teams they belong to."""
    query = select(Team).order_by(Team.name)
    if user.role != Role.ADMIN:
        query = query.join(Membership, Membership.team_id == Team.id).where(Membership.user_id == user.id)
    return list(session.exec(query))


def team_members(session: Session, user: User, team_id: int) -> tuple[Team, list[tuple[User, bool]]]:
    """The team and its (member, is lead) pairs, for its own members and admins. Raises NotFound."""
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound
    rows = list(session.exec(select(User, Membership.is_lead).join(Membership, Membership.user_id == User.id)
                             .where(Membership.team_id == team_id).order_by(User.display_name, User.id)))
    if user.role != Role.ADMIN and user.id not in {member.id for member, _ in rows}:
        raise NotFound
    return team, rows


def person_for(session: Session, viewer: User, user_id: int) -> User:
    """A person's own record, or anyone's for an admin (as the admin's Users pages). Raises NotFound."""
    if viewer.id == user_id:
        return viewer
    person = session.get(User, user_id) if viewer.role == Role.ADMIN else None
    if person is None:
        raise NotFound
    return person


def points_by_challenge(session: Session, user_id: int) -> dict[str, int]:
    rows = session.exec(select(PointEvent.challenge_id, func.sum(PointEvent.amount))
                        .where(PointEvent.user_id == user_id).group_by(PointEvent.challenge_id))
    return {str(challenge_id): int(total or 0) for challenge_id, total in rows}


def completions_after(session: Session, cursor: int, limit: int) -> tuple[list[Completion], int | None]:
    """A page of every completion in id order after `cursor`, and the cursor of the next page (None: last)."""
    return _page(session, Completion, cursor, limit)


def point_events_after(session: Session, cursor: int, limit: int) -> tuple[list[PointEvent], int | None]:
    """A page of the points ledger in id order after `cursor`, and the cursor of the next page (None: last)."""
    return _page(session, PointEvent, cursor, limit)


def _page(session: Session, model, cursor: int, limit: int):
    # Keyset pagination: a page costs the same however deep it is, and rows written meanwhile are not skipped.
    rows = list(session.exec(select(model).where(model.id > cursor).order_by(model.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, rows[-1].id if more else None
