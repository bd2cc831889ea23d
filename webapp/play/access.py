"""Who may see and play which challenge: checks against the user's team memberships."""
from __future__ import annotations

from sqlalchemy import exists
from sqlmodel import Session, select

from ..models import Challenge, ChallengeStatus, ChallengeTeam, Enrolment, Membership, Mission, Role, Team, User
from ..problems import NotFound

# Challenges people can open; drafts and archived ones are invisible to players.
VISIBLE = (ChallengeStatus.PUBLISHED, ChallengeStatus.RUNNING, ChallengeStatus.CLOSED)
JOINABLE = (ChallengeStatus.PUBLISHED, ChallengeStatus.RUNNING)


class Forbidden(PermissionError):
    """The user may see it but not do this (the page answers 403)."""


def user_team_ids(session: Session, user: User) -> list[int]:
    return list(session.exec(select(Membership.team_id).where(Membership.user_id == user.id)))


def challenge_teams_of(session: Session, user: User, challenge_id: int) -> list[Team]:
    """The user's teams that take part in the challenge."""
    return list(session.exec(
        select(Team).join(ChallengeTeam, ChallengeTeam.team_id == Team.id)
        .join(Membership, Membership.team_id == Team.id)
        .where(ChallengeTeam.challenge_id == challenge_id, Membership.user_id == user.id)
        .order_by(Team.name)))


def visible_challenge(session: Session, user: User, challenge_id: int) -> Challenge:
    """The challenge if one of the user's teams takes part (admins see all). Raises NotFound."""
    # One statement: the challenge and whether one of the user's teams takes part (every play request asks).
    takes_part = exists().where(ChallengeTeam.challenge_id == Challenge.id,
                                ChallengeTeam.team_id == Membership.team_id, Membership.user_id == user.id)
    row = session.exec(select(Challenge, takes_part).where(Challenge.id == challenge_id)).first()
    if row is None or row[0].status not in VISIBLE:
        raise NotFound
    challenge, member = row
    if user.role != Role.ADMIN and not member:
        raise NotFound
    return challenge


def visible_mission(session: Session, user: User, mission_id: int) -> tuple[Mission, Challenge]:
    """The mission and its challenge if the user may see the challenge (as visible_challenge). Raises NotFound."""
    takes_part = exists().where(ChallengeTeam.challenge_id == Challenge.id,
                                ChallengeTeam.team_id == Membership.team_id, Membership.user_id == user.id)
    row = session.exec(select(Mission, Challenge, takes_part).join(Challenge, Challenge.id == Mission.challenge_id)
                       .where(Mission.id == mission_id)).first()
    if row is None:
        raise NotFound
    mission, challenge, member = row
    if challenge.status not in VISIBLE or (user.role != Role.ADMIN and not member):
        raise NotFound
    return mission, challenge


def enrolment_of(session: Session, user: User, challenge_id: int) -> Enrolment | None:
    return session.exec(select(Enrolment).where(
        Enrolment.challenge_id == challenge_id, Enrolment.user_id == user.id)).first()


def feed_team_id(session: Session, user: User, challenge_id: int) -> int | None:
    """The team whose feed the user sees in this challenge: the one they play with, else their first.

    Membership is the rule: a team they have left is never theirs to read, even where their enrolment in
    a closed challenge still names it."""
    teams = challenge_teams_of(session, user, challenge_id)
    enrolment = enrolment_of(session, user, challenge_id)
    if enrolment is not None and enrolment.team_id in {team.id for team in teams}:
        return enrolment.team_id
    return teams[0].id if teams else None
