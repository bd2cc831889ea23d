"""Who may monitor what: the teams a user may watch, and the filters of a dashboard request."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from sqlmodel import Session, col, select

from ..inputs import parse_day, whole_number
from ..problems import NotFound
from ..models import Challenge, ChallengeTeam, Membership, Role, Team, User


class Forbidden(PermissionError):
    """The user may not monitor this (403)."""


@dataclass(frozen=True)
class Scope:
    """What a dashboard counts: challenges and teams (None = all) and a UTC date range (end exclusive)."""

    challenge_id: int | None = None
    team_ids: tuple[int, ...] | None = None
    start: datetime | None = None
    end: datetime | None = None


@dataclass
class Filters:
    """The dashboard's filter form as typed, with an error beside each field that is wrong."""

    start: str = ""
    end: str = ""
    team: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    def query(self) -> dict[str, str]:
        """The filters as query arguments, for the CSV links (only those set)."""
        return {name: value for name, value in (("start", self.start), ("end", self.end), ("team", self.team))
                if value}


def led_team_ids(session: Session, user: User) -> tuple[int, ...]:
    """The teams the user leads (whatever their role)."""
    return tuple(session.exec(select(Membership.team_id).where(
        Membership.user_id == user.id, col(Membership.is_lead).is_(True)).order_by(Membership.team_id)))


def watched_team_ids(session: Session, user: User) -> tuple[int, ...] | None:
    """Teams the user may monitor: None (all) for admins, the teams they lead for leads. Raises Forbidden."""
    if user.role == Role.ADMIN:
        return None
    if user.role != Role.LEAD:
        raise Forbidden
    led = led_team_ids(session, user)
    if not led:
        raise Forbidden
    return led


def monitored_challenge(session: Session, user: User, challenge_id: int) -> Challenge:
    """The challenge, if the user may monitor it (a lead: one of their teams takes part). Raises NotFound."""
    challenge = session.get(Challenge, challenge_id)
    if challenge is None:
        raise NotFound
    watched = watched_team_ids(session, user)
    if watched is not None and session.exec(select(ChallengeTeam.team_id).where(
            ChallengeTeam.challenge_id == challenge_id, col(ChallengeTeam.team_id).in_(watched))).first() is None:
        raise NotFound
    return challenge


def filter_teams(session: Session, user: User, challenge_id: int | None) -> list[Team]:
    """The teams offered in the team filter: those the user watches (in the challenge, if one)."""
    query = select(Team).order_by(Team.name)
    watched = watched_team_ids(session, user)
    if watched is not None:
        query = query.where(col(Team.id).in_(watched))
    if challenge_id is not None:
        query = query.join(ChallengeTeam, ChallengeTeam.team_id == Team.id).where(
            ChallengeTeam.challenge_id == challenge_id)
    return list(session.exec(query))


def build_scope(session: Session, user: User, args, challenge_id: int | None = None) -> tuple[Scope, Filters]:
    """Read start, end and team from `args`; bad values are reported in Filters.errors and left out.

    Raises Forbidden (a lead asking for a team they do not lead) or NotFound (no such team).
    """
    filters = Filters(start=(args.get("start") or "").strip(), end=(args.get("end") or "").strip(),
                      team=(args.get("team") or "").strip())
    start = end = None
    for name in ("start", "end"):
        value = getattr(filters, name)
        if not value:
            continue
        try:
            parsed = parse_day(value)
        except ValueError as error:
            filters.errors[name] = str(error)
            continue
        if name == "start":
            start = datetime.combine(parsed, time(), UTC)
        else:
            end = datetime.combine(parsed + timedelta(days=1), time(), UTC)  # the end day is included
    if start and end and end <= start:
        filters.errors["end"] = "The end date must be on or after the start date."
        end = None
    watched = watched_team_ids(session, user)
    team_ids = watched
    if filters.team:
        team_id = whole_number(filters.team)
        if team_id is None:
            raise NotFound
        if watched is not None and team_id not in watched:
            raise Forbidden
        if session.get(Team, team_id) is None:
            raise NotFound
        team_ids = (team_id,)
    return Scope(challenge_id=challenge_id, team_ids=team_ids, start=start, end=end), filters
