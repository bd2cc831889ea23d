"""Admin: invite one person, resend or revoke an invitation, follow a CSV import, read the mail sent offline."""
from __future__ import annotations

from flask import abort, current_app, request, send_file, url_for
from flask_login import current_user
from sqlmodel import col, select

from ..auth import invitations
from ..auth.links import base_url
from ..people.people_imports import counts, report_rows
from ..problems import Invalid, found
from ..models import Email, Invitation, PeopleImport, Role, Team, User
from ..security import role_required
from ..web import db, form_post, render, saved
from . import bp
from .people_routes import users_context

MAIL_PAGE = 100
REPORT_ROWS_SHOWN = 1_000


def _sender() -> invitations.Sender:
    return invitations.Sender(base_url=base_url(), secret=current_app.secret_key,
                              inviter_name=current_user.display_name, inviter_id=current_user.id)


def _invitation(invitation_id: int) -> Invitation:
    return found(db().get(Invitation, invitation_id))


@bp.post("/invitations")
@role_required(Role.ADMIN)
def invite():
    """Invite one person: an account without a password, in a team, and an email with their link."""
    session = db()
    form = request.form
    team = None
    team_id = form.get("team", "")
    if team_id:
        team = session.get(Team, int(team_id)) if team_id.isascii() and team_id.isdigit() and len(team_id) < 10 else None
        if team is None:
            return _invite_refused(Invalid.one("team", "choose one of the teams"))
    return form_post(
        lambda: invitations.invite_person(session, _sender(), email=form.get("email", ""), name=form.get("name", ""),
                                          role=form.get("role", ""), team=team),
        _invite_refused,
        lambda user: saved(f"Invitation sent to {user.email}.", url_for("admin.users", invited="1")))


def _invite_refused(error: Invalid):
    values = {key: value for key, value in request.form.items() if key != "csrf_token"}
    return render("admin/users.html", status=422,
                  **users_context(invite_values=values, invite_errors=error.by_field()))


@bp.post("/invitations/<int:invitation_id>/<any(resend, revoke):what>")
@role_required(Role.ADMIN)
def change_invitation(invitation_id: int, what: str):
    """Send a fresh link (the old one stops working), or withdraw the invitation."""
    session = db()
    invitation = _invitation(invitation_id)
    email = session.get(User, invitation.user_id).email
    return form_post(
        lambda: invitations.resend(session, _sender(), invitation) if what == "resend"
        else invitations.revoke(session, invitation),
        lambda error: render("admin/users.html", status=422,
                             **users_context(row_error=(invitation.user_id, error.problems[0].message))),
        lambda _: saved(f"Invitation to {email} sent again." if what == "resend" else f"Invitation to {email} revoked.",
                        url_for("admin.users", invited=request.args.get("invited", "1"))))


@bp.get("/imports/<int:import_id>")
@role_required(Role.ADMIN)
def people_import(import_id: int):
    """A CSV import: a progress bar while its job runs (the fragment polls itself), then each row's outcome."""
    people_import = found(db().get(PeopleImport, import_id))
    rows = report_rows(people_import)
    # Rows that need the admin's attention first; the created ones after, up to a page's worth.
    shown = [row for row in rows if row.outcome != "created"] + [row for row in rows if row.outcome == "created"]
    return render("admin/people_import.html", block="progress", people_import=people_import,
                  counts=counts(people_import), rows=shown[:REPORT_ROWS_SHOWN], hidden=max(0, len(shown) - REPORT_ROWS_SHOWN))


@bp.get("/mail")
@role_required(Role.ADMIN)
def mail():
    """Email the app has sent or written (newest first), so a link can be followed without a mail server."""
    messages = db().exec(select(Email).order_by(col(Email.id).desc()).limit(MAIL_PAGE)).all()
    return render("admin/mail.html", messages=messages, settings=current_app.config["LEARNLOOP"])


@bp.get("/mail/<int:email_id>")
@role_required(Role.ADMIN)
def mail_message(email_id: int):
    """One message: its plain-text part (links clickable) and where it went."""
    email = found(db().get(Email, email_id))
    return render("admin/mail_message.html", email=email, settings=current_app.config["LEARNLOOP"])


@bp.get("/mail/<int:email_id>.eml")
@role_required(Role.ADMIN)
def mail_file(email_id: int):
    """The .eml file a message was written to (no mail server configured)."""
    email = db().get(Email, email_id)
    if email is None or not email.file_name or current_app.config["LEARNLOOP"].sends_mail:
        abort(404)
    path = current_app.config["LEARNLOOP"].mail_file_dir / email.file_name
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype="message/rfc822", as_attachment=True, download_name=email.file_name)
