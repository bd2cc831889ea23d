"""Links that arrive by email: accept an invitation, ask for and use a password reset."""
from __future__ import annotations

from flask import current_app, flash, request, url_for
from flask_login import login_user, logout_user

from ..problems import Invalid
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


def _choose_password(token: str, open_link, use_link, on_success, **page):
    """The page behind an emailed link: choose a password, `use_link` it, then `on_success(user)`.

    `open_link(session, secret, token)` gives (link row, user) or raises LinkRefused; `use_link` raises Invalid
    (password rules) or LinkRefused. A refused link is a 400 page; bad passwords come back beside the form."""
    session = db()
    try:
        link, user = open_link(session, _secret(), token)
    except LinkRefused as error:
        return _refused(error)
    errors = {}
    if request.method == "POST":
        try:
            use_link(session, link, user, request.form.get("password", ""), request.form.get("confirmation", ""))
        except Invalid as error:
            session.rollback()
            errors = error.by_field()
        except LinkRefused as error:
            session.rollback()
            return _refused(error)
        else:
            session.commit()
            logout_user()  # whoever was signed in on this browser
            return on_success(user)
    return render("auth/choose_password.html", block="form", status=422 if errors else 200, errors=errors,
                  person=user, **page)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@limiter.limit("30 per 5 minutes", methods=["POST"])
def accept_invitation(token: str):
    """Choose a first password from an invitation link; then straight to the dashboard."""
    def signed_in(user):
        login_user(user)
        flash(f"Welcome to Learnloop, {user.display_name}.", "success")
        return see_other(url_for("main.dashboard"))

    return _choose_password(token, invitations.open_invitation, invitations.accept, signed_in,
                            title="Welcome to Learnloop", invitation=True)


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
    def signed_out(_user):
        flash("Your password is changed and you are signed out everywhere. Sign in with the new password.",
              "success")
        return see_other(url_for("auth.login"))

    return _choose_password(token, password_reset.open_reset, password_reset.reset_password, signed_out,
                            title="Choose a new password", invitation=False)
