"""Joining a challenge, with one of one's own teams that takes part in it."""
from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from ..models import Enrolment, User
from .access import JOINABLE, Forbidden, challenge_teams_of, enrolment_of, visible_challenge


class JoinRefused(ValueError):
    """The challenge cannot be joined now; the message says why."""


def join_challenge(session: Session, user: User, challenge_id: int, team_id: int | None = None) -> Enrolment:
    """Enrol the user with `team_id` (or their only team in it); joining twice returns the first enrolment.

    Raises NotFound (not their challenge), Forbidden (a team that is not theirs or not in the
    challenge) or JoinRefused (closed, or several teams and none chosen).
    """
    challenge = visible_challenge(session, user, challenge_id)
    existing = enrolment_of(session, user, challenge_id)
    if existing is not None:
        return existing
    if challenge.status not in JOINABLE:
        raise JoinRefused("This challenge has ended; it can no longer be joined.")
    teams = challenge_teams_of(session, user, challenge_id)
    if team_id is None:
        if len(teams) != 1:
            raise JoinRefused("Choose the team you play with.")
        team_id = teams[0].id
    if team_id not in {team.id for team in teams}:
        raise Forbidden
    enrolment = Enrolment(challenge_id=challenge_id, user_id=user.id, team_id=team_id)
    try:
        with session.begin_nested():
            session.add(enrolment)
    except IntegrityError:  # a parallel click enrolled first
        return enrolment_of(session, user, challenge_id)
    return enrolment
