"""Identity-provider groups mapped to teams and roles: admins edit the mapping, each sign-in applies it."""
from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from ..people import teams as team_service
from ..problems import Invalid, Problem
from ..models import GroupMapping, Membership, Role, Team, User

ROLE_CHOICES = {
    Role.EMPLOYEE: "member of the team",
    Role.LEAD: "lead of the team",
    Role.ADMIN: "admin",
}


def list_mappings(session: Session) -> list[tuple[GroupMapping, Team | None]]:
    return list(session.exec(select(GroupMapping, Team).outerjoin(Team, Team.id == GroupMapping.team_id)
                             .order_by(GroupMapping.idp_group, GroupMapping.id)).all())


def add_mapping(session: Session, idp_group: str, team_id: str, role: str) -> GroupMapping:
    """Map a group (the caller commits). Raises Invalid naming the field: a group name is required, a
    team too unless the role is admin, and the same mapping cannot be added twice."""
    problems = []
    idp_group = idp_group.strip()
    if not idp_group:
        problems.append(Problem(("idp_group",), "is required"))
    elif len(idp_group) > 200:
        problems.append(Problem(("idp_group",), "must be at most 200 characters"))
    try:
        role = Role(role)
    except ValueError:
        problems.append(Problem(("role",), "choose member, lead or admin"))
        role = None
    team = session.get(Team, int(team_id)) if team_id.strip().isdigit() else None
    if team_id.strip() and team is None:
        problems.append(Problem(("team_id",), "choose a team from the list"))
    elif team is None and role is not None and role is not Role.ADMIN:
        problems.append(Problem(("team_id",), "choose the team this group's people join"))
    if problems:
        raise Invalid(problems)
    same_team = GroupMapping.team_id == team.id if team else GroupMapping.team_id.is_(None)
    duplicate = session.exec(select(GroupMapping.id).where(GroupMapping.idp_group == idp_group,
                                                           GroupMapping.role == role, same_team)).first()
    if duplicate is not None:
        raise Invalid.one("idp_group", "this group is already mapped that way")
    mapping = GroupMapping(idp_group=idp_group, team_id=team.id if team else None, role=role)
    session.add(mapping)
    session.flush()
    return mapping


def remove_mapping(session: Session, mapping: GroupMapping) -> None:
    session.delete(mapping)
    session.flush()


def apply_group_mappings(session: Session, user: User, groups: tuple[str, ...]) -> None:
    """Bring `user`'s teams and admin role in line with their provider groups (the caller commits).

    Only what the mapping speaks about is managed: teams named in some mapping (joined, left, led or
    not), and the admin role if some mapping grants it. Teams and roles an admin gave by hand outside
    the mapping stay. The last active admin is never demoted, so a mistake here cannot lock everyone out.
    """
    mappings = session.exec(select(GroupMapping)).all()
    if not mappings:
        return
    mine = set(groups)
    managed_teams = {mapping.team_id for mapping in mappings if mapping.team_id is not None}
    wanted: dict[int, bool] = {}  # team id -> leads it
    wants_admin = False
    for mapping in mappings:
        if mapping.idp_group not in mine:
            continue
        if mapping.team_id is not None:
            wanted[mapping.team_id] = wanted.get(mapping.team_id, False) or mapping.role is Role.LEAD
        wants_admin = wants_admin or mapping.role is Role.ADMIN

    if any(mapping.role is Role.ADMIN for mapping in mappings):
        if wants_admin and user.role is not Role.ADMIN:
            user.role = Role.ADMIN
            session.add(user)
        elif not wants_admin and user.role is Role.ADMIN and not _last_active_admin(session, user):
            user.role = Role.EMPLOYEE  # set_lead/remove_member below (or teams.sync_role) give back the lead role
            session.add(user)
            session.flush()

    memberships = {membership.team_id: membership for membership in session.exec(
        select(Membership).where(Membership.user_id == user.id, Membership.team_id.in_(managed_teams))).all()}
    for team_id in managed_teams:
        membership = memberships.get(team_id)
        if team_id in wanted:
            if membership is None:
                team_service.add_member(session, session.get(Team, team_id), user, lead=wanted[team_id])
            elif membership.is_lead != wanted[team_id]:
                team_service.set_lead(session, membership, user, wanted[team_id])
        elif membership is not None:
            team_service.remove_member(session, session.get(Team, team_id), user)
    team_service.sync_role(session, user)


def _last_active_admin(session: Session, user: User) -> bool:
    others = session.exec(select(func.count()).select_from(User).where(
        User.role == Role.ADMIN, User.is_active == True, User.id != user.id)).one()  # noqa: E712
    return others == 0
