"""Teams: create and rename them, add, remove and move members, mark the leads.

Membership is the rule for playing: after any change of a person's teams, their enrolment in each
challenge still open follows them to a team of theirs that takes part (so their feed and new points
are that team's); points already earned stay with the team they were earned for (the ledger keeps it)."""
from __future__ import annotations

import re

from sqlmodel import Session, col, select

from ..models import Challenge, ChallengeStatus, ChallengeTeam, Enrolment, Membership, Role, Team, User
from ..text import clean_name
from ..problems import Invalid, Problem


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:80] or "team"


def find_team(session: Session, name_or_slug: str) -> Team | None:
    """The team whose slug or name (any case) is `name_or_slug`."""
    wanted = name_or_slug.strip()
    team = session.exec(select(Team).where(Team.slug == slugify(wanted))).first()
    if team is None:
        from sqlalchemy import func

        team = session.exec(select(Team).where(func.lower(Team.name) == wanted.lower())).first()
    return team


def _check_name(session: Session, name: str, except_id: int | None) -> tuple[str, str]:
    name = clean_name(name)
    if not name:
        raise Invalid([Problem(("name",), "is required")])
    if len(name) > 120:
        raise Invalid([Problem(("name",), "must be at most 120 characters")])
    slug = slugify(name)
    for team in session.exec(select(Team).where((Team.slug == slug) | (Team.name == name))):
        if team.id != except_id:
            raise Invalid([Problem(("name",), f"a team called {team.name!r} already exists")])
    return name, slug


def create_team(session: Session, name: str) -> Team:
    """A new team (the caller commits). Raises Invalid on an empty or taken name."""
    name, slug = _check_name(session, name, None)
    team = Team(name=name, slug=slug)
    session.add(team)
    session.flush()
    return team


def rename_team(session: Session, team: Team, name: str) -> Team:
    """Rename the team; its slug follows the name. Raises Invalid on an empty or taken name."""
    team.name, team.slug = _check_name(session, name, team.id)
    session.add(team)
    return team


def members_of(session: Session, team: Team) -> list[tuple[Membership, User]]:
    return list(session.exec(select(Membership, User).join(User).where(Membership.team_id == team.id)
                             .order_by(User.display_name)).all())


def add_member(session: Session, team: Team, user: User, lead: bool = False) -> Membership:
    """Put `user` in `team` (adding twice keeps one membership)."""
    membership = session.exec(select(Membership).where(Membership.team_id == team.id,
                                                       Membership.user_id == user.id)).first()
    if membership is None:
        membership = Membership(team_id=team.id, user_id=user.id)
        session.add(membership)
        session.flush()
    if lead:
        set_lead(session, membership, user, True)
    follow_membership(session, user)
    return membership


def remove_member(session: Session, team: Team, user: User) -> None:
    membership = session.exec(select(Membership).where(Membership.team_id == team.id,
                                                       Membership.user_id == user.id)).first()
    if membership is not None:
        session.delete(membership)
        session.flush()
        sync_role(session, user)
        follow_membership(session, user)


def move_member(session: Session, user: User, from_team: Team, to_team: Team) -> Membership:
    """Move `user` from `from_team` to `to_team` in one step (the caller commits); a lead of the old team
    joins the new one as a member. Raises Invalid if they are not in `from_team` or it is the same team."""
    if from_team.id == to_team.id:
        raise Invalid.one("to_team_id", f"{user.display_name} is already in {to_team.name}; choose another team.")
    membership = session.exec(select(Membership).where(Membership.team_id == from_team.id,
                                                       Membership.user_id == user.id)).first()
    if membership is None:
        raise Invalid.one("to_team_id", f"{user.display_name} is no longer in {from_team.name}.")
    session.delete(membership)
    session.flush()
    moved = add_member(session, to_team, user)
    sync_role(session, user)
    follow_membership(session, user)
    return moved


# Enrolments in these challenges follow their person's team; in closed and archived ones history stays put.
FOLLOWING = (ChallengeStatus.DRAFT, ChallengeStatus.PUBLISHED, ChallengeStatus.RUNNING)


def follow_membership(session: Session, user: User) -> None:
    """Point each of the user's enrolments in an open challenge at a team they belong to that takes part
    (their first by name); an enrolment whose team they still belong to, or for which they have no team in
    the challenge any more (they cannot see it then), is left as it is."""
    team_ids = set(session.exec(select(Membership.team_id).where(Membership.user_id == user.id)))
    enrolments = session.exec(select(Enrolment).join(Challenge, Challenge.id == Enrolment.challenge_id).where(
        Enrolment.user_id == user.id, col(Challenge.status).in_(FOLLOWING))).all()
    for enrolment in enrolments:
        if enrolment.team_id in team_ids:
            continue
        new_team = session.exec(
            select(Team.id).join(ChallengeTeam, ChallengeTeam.team_id == Team.id)
            .where(ChallengeTeam.challenge_id == enrolment.challenge_id, col(Team.id).in_(team_ids))
            .order_by(Team.name)).first()
        if new_team is not None:
            enrolment.team_id = new_team
            session.add(enrolment)
    session.flush()


def set_lead(session: Session, membership: Membership, user: User, is_lead: bool) -> None:
    """Mark or unmark the member as the team's lead; the user's role follows (admins stay admins)."""
    membership.is_lead = is_lead
    session.add(membership)
    session.flush()
    sync_role(session, user)


def sync_role(session: Session, user: User) -> None:
    """A person who leads a team has the lead role; one who leads none any more goes back to employee."""
    if user.role is Role.ADMIN:
        return
    leads = session.exec(select(Membership.id).where(Membership.user_id == user.id,
                                                     Membership.is_lead == True)).first()  # noqa: E712
    role = Role.LEAD if leads is not None else Role.EMPLOYEE
    if user.role is not role:
        user.role = role
        session.add(user)
