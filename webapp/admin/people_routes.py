"""Admin: teams (members and leads) and users (roles, activation, CSV import)."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import func
from sqlmodel import select

from ..auth.accounts import find_user
from ..auth.invitations import pending_by_user
from ..auth.links import base_url
from ..people import teams as team_service
from ..people import users as user_service
from ..people.people_imports import start_import
from ..problems import Invalid, found
from ..inputs import page_number
from ..models import Membership, Role, Team, User, utcnow
from ..security import role_required
from ..web import db, form_post, is_htmx, render, saved
from . import bp


def get_team(team_id: int) -> Team:
    return found(db().get(Team, team_id))


def get_user(user_id: int) -> User:
    return found(db().get(User, user_id))


def teams_context(**extra) -> dict:
    session = db()
    counts = dict(session.exec(select(Membership.team_id, func.count()).group_by(Membership.team_id)).all())
    context = dict(teams=session.exec(select(Team).order_by(Team.name)).all(), counts=counts, values={}, errors={})
    context.update(extra)
    return context


def team_context(team: Team, **extra) -> dict:
    other_teams = db().exec(select(Team).where(Team.id != team.id).order_by(Team.name)).all()
    context = dict(team=team, members=team_service.members_of(db(), team), values={"name": team.name}, errors={},
                   member_error=None, member_email="", other_teams=other_teams, move_error=None)
    context.update(extra)
    return context


@bp.get("/teams")
@role_required(Role.ADMIN)
def teams():
    """Every team with its size, and a form to create one."""
    return render("admin/teams.html", **teams_context())


@bp.post("/teams")
@role_required(Role.ADMIN)
def create_team():
    """Create a team."""
    return form_post(
        lambda: team_service.create_team(db(), request.form.get("name", "")),
        lambda error: render("admin/teams.html", status=422, **teams_context(values=request.form,
                                                                             errors=error.by_field())),
        lambda team: saved(f"Team {team.name} created.", url_for("admin.team", team_id=team.id)))


@bp.get("/teams/<int:team_id>")
@role_required(Role.ADMIN)
def team(team_id: int):
    """A team: its name, members and leads."""
    return render("admin/team.html", **team_context(get_team(team_id)))


@bp.post("/teams/<int:team_id>")
@role_required(Role.ADMIN)
def rename_team(team_id: int):
    """Rename a team."""
    team = get_team(team_id)
    return form_post(
        lambda: team_service.rename_team(db(), team, request.form.get("name", "")),
        lambda error: render("admin/team.html", status=422, **team_context(team, values=request.form,
                                                                           errors=error.by_field())),
        lambda _: saved(f"Team renamed to {team.name}.", url_for("admin.team", team_id=team.id)))


@bp.post("/teams/<int:team_id>/members")
@role_required(Role.ADMIN)
def add_member(team_id: int):
    """Add a person (by email) to the team, optionally as a lead."""
    session = db()
    team = get_team(team_id)
    email = request.form.get("email", "")
    user = find_user(session, email) if email.strip() else None
    if user is None:
        message = "Give the email of an existing user." if not email.strip() else f"There is no user with the email {email.strip()}."
        return render("admin/team.html", block="members", status=422,
                      **team_context(team, member_error=message, member_email=email))
    team_service.add_member(session, team, user, lead=request.form.get("lead") == "on")
    session.commit()
    return _back_to_members(team)


@bp.post("/teams/<int:team_id>/members/<int:user_id>/remove")
@role_required(Role.ADMIN)
def remove_member(team_id: int, user_id: int):
    """Take a person out of the team."""
    session = db()
    team, user = get_team(team_id), get_user(user_id)
    team_service.remove_member(session, team, user)
    session.commit()
    return _back_to_members(team)


@bp.post("/teams/<int:team_id>/members/<int:user_id>/lead")
@role_required(Role.ADMIN)
def set_lead(team_id: int, user_id: int):
    """Make a member the team's lead, or not."""
    session = db()
    team, user = get_team(team_id), get_user(user_id)
    membership = found(session.exec(select(Membership).where(Membership.team_id == team.id,
                                                             Membership.user_id == user.id)).first())
    team_service.set_lead(session, membership, user, request.form.get("lead") == "yes")
    session.commit()
    return _back_to_members(team)


@bp.post("/teams/<int:team_id>/members/<int:user_id>/move")
@role_required(Role.ADMIN)
def move_member(team_id: int, user_id: int):
    """Move a person from this team to another: their open challenges follow them, earned points stay here."""
    session = db()
    team, user = get_team(team_id), get_user(user_id)
    to_team = session.get(Team, request.form.get("to_team_id", type=int) or 0)
    try:
        if to_team is None:
            raise Invalid.one("to_team_id", "Choose the team to move them to.")
        team_service.move_member(session, user, team, to_team)
    except Invalid as error:
        session.rollback()
        return render("admin/team.html", block="members", status=422,
                      **team_context(team, move_error=(user.id, error.problems[0].message)))
    session.commit()
    if not is_htmx():
        flash(f"{user.display_name} moved to {to_team.name}.", "success")
    return _back_to_members(team)


def _back_to_members(team: Team):
    if is_htmx():
        return render("admin/team.html", block="members", **team_context(team))
    return redirect(url_for("admin.team", team_id=team.id, _anchor="members"), code=303)


# --- users ------------------------------------------------------------------------------------------------

def users_context(**extra) -> dict:
    listing = user_service.list_users(db(), request.args.get("q", ""), page_number(request.args),
                                      invited_only=request.args.get("invited") == "1")
    context = dict(listing=listing, roles=list(Role), values={"role": "employee"}, errors={}, row_error=None,
                   invitations=pending_by_user(db(), [user.id for user in listing.users]),
                   team_options=[("", "No team")] + [(str(team.id), team.name) for team in
                                                     db().exec(select(Team).order_by(Team.name))],
                   invite_values={"role": "employee"},
                   invite_errors={}, now=utcnow())
    context.update(extra)
    return context


@bp.get("/users")
@role_required(Role.ADMIN)
def users():
    """Users, searchable, a page at a time, with a form to add one."""
    return render("admin/users.html", block="user_table", **users_context())


@bp.post("/users")
@role_required(Role.ADMIN)
def create_user():
    """Create an account."""
    form = request.form
    without_password = {key: value for key, value in form.items() if key != "password"}
    return form_post(
        lambda: user_service.add_user(db(), form.get("email", ""), form.get("name", ""), form.get("role", ""),
                                      form.get("password", "")),
        lambda error: render("admin/users.html", status=422, **users_context(values=without_password,
                                                                             errors=error.by_field())),
        lambda user: saved(f"Account for {user.email} created.", url_for("admin.users", q=user.email)))


@bp.post("/users/<int:user_id>/<any(role, active, password):change>")
@role_required(Role.ADMIN)
def change_user(user_id: int, change: str):
    """Change a user's role, activation or password."""
    user = get_user(user_id)
    form = request.form
    apply = {"role": lambda: user_service.change_role(db(), user, form.get("role", ""), current_user),
             "active": lambda: user_service.set_active(db(), user, form.get("active") == "yes", current_user),
             "password": lambda: user_service.set_password(db(), user, form.get("password", ""))}[change]
    return form_post(
        apply,
        lambda error: render("admin/users.html", status=422, **users_context(
            row_error=(user.id, error.problems[0].message))),
        lambda _: saved({"role": f"{user.email} is now {user.role.value}.",
                         "active": f"{user.email} is {'active' if user.is_active else 'deactivated'}.",
                         "password": f"New password set for {user.email}."}[change],
                        url_for("admin.users", q=request.args.get("q", ""))))


@bp.get("/users/import")
@role_required(Role.ADMIN)
def import_users_form():
    """The CSV import form."""
    return render("admin/import_users.html", report=None, problem=None)


@bp.post("/users/import")
@role_required(Role.ADMIN)
def import_users():
    """Store the CSV and start its import job; the import's page shows progress, then each row's outcome."""
    session = db()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render("admin/import_users.html", status=422, report=None, problem="Choose a CSV file to import.")
    return form_post(
        lambda: start_import(session, admin=current_user, file_name=upload.filename, data=upload.read(),
                             create_missing_teams=request.form.get("create_teams") == "on", base_url=base_url()),
        lambda error: render("admin/import_users.html", status=422, report=None, problem=error.problems[0].message),
        lambda people_import: redirect(url_for("admin.people_import", import_id=people_import.id), code=303))
