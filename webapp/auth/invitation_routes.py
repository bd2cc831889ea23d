"""Links that arrive by email: accept an invitation, ask for and use a password reset."""
from __future__ import annotations

from flask import current_app, flash, request, url_for
from flask_login import login_user, logout_user

from ..challenges.problems import Invalid
from ..security import limiter
from ..web import db, render, see_other
from . import invitations, password_reset
from .links import LinkRefused, base_url
from .routes import bp


def _secret() -> str:
    return current_app.secret_key


def _email_key() -> str:
    return "forgot|" + (request.form.get("email") or "").strip().lower()


def _refused(error: LinkRefused):
    return render("auth/link_refused.html", status=400, message=str(error))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@limiter.limit("30 per 5 minutes", methods=["POST"])
def accept_invitation(token: str):
    """Choose a first password from an invitation link; then straight to the dashboard."""
    session = db()
    try:
        invitation, user = invitations.open_invitation(session, _secret(), token)
    except LinkRefused as error:
        return _refused(error)
    errors = {}
    if request.method == "POST":
        try:
            invitations.accept(session, invitation, user, request.form.get("password", ""),
                               request.form.get("confirmation", ""))
        except Invalid as error:
            session.rollback()
            errors = error.by_field()
        except LinkRefused as error:
            session.rollback()
            return _refused(error)
        else:
            session.commit()
            logout_user()  # whoever was signed in on this browser, the invited person is now
            login_user(user)
            flash(f"Welcome to Learnloop, {user.display_name}.", "success")
            return see_other(url_for("main.dashboard"))
    return render("auth/choose_password.html", block="form", status=422 if errors else 200, errors=errors,
                  title="Welcome to Learnloop", person=user, invitation=True)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])  # per network address
@limiter.limit("5 per hour", key_func=_email_key, methods=["POST"])  # per email typed, known or not
def forgot_password():
    """Ask for a reset link; the answer is the same whether the address has an account or not."""
    if request.method == "POST":
        email = (request.form.get("email") or "")[:254]
        password_reset.request_reset(db(), base_url(), _secret(), email)
        db().commit()
        return render("auth/forgot_password.html", sent=True, email=email)
    return render("auth/forgot_password.html", sent=False, email="")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit("30 per 5 minutes", methods=["POST"])
def reset_password(token: str):
    """Choose a new password from a reset link; every session of the account ends."""
    session = db()
    try:
        reset, user = password_reset.open_reset(session, _secret(), token)
    except LinkRefused as error:
        return _refused(error)
    errors = {}
    if request.method == "POST":
        try:
            password_reset.reset_password(session, reset, user, request.form.get("password", ""),
                                          request.form.get("confirmation", ""))
        except Invalid as error:
            session.rollback()
            errors = error.by_field()
        except LinkRefused as error:
            session.rollback()
            return _refused(error)
        else:
            session.commit()
            logout_user()
            flash("Your password is changed and you are signed out everywhere. Sign in with the new password.",
                  "success")
            return see_other(url_for("auth.login"))
    return render("auth/choose_password.html", block="form", status=422 if errors else 200, errors=errors,
                  title="Choose a new password", person=user, invitation=False)
