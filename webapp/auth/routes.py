"""Sign-in and sign-out."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, request, url_for
from flask import session as flask_session
from flask_login import current_user, login_user, logout_user

from ..inputs import refuse_nul_characters
from ..main.welcome import greeting_on_sign_in
from ..web import db, render, see_other
from .accounts import authenticate, may_use_password
from .forms import SignInForm
from .sessions import revoke_sessions
from .throttle import WINDOW_SECONDS

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form; sign in on valid credentials."""
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    settings = current_app.config["LEARNLOOP"]
    form = SignInForm()
    if request.method == "POST":
        # Counted before anything else looks at the input, so neither odd input nor parallel requests
        # get a guess past the count.
        attempt = current_app.extensions["sign_in_throttle"].attempt(request.remote_addr, request.form.get("email", ""))
        if attempt is None:
            form.form_errors.append("Too many sign-in attempts. Please wait a moment before trying again.")
            response = current_app.make_response(render("auth/login.html", block="form", status=429, form=form))
            response.headers["Retry-After"] = str(WINDOW_SECONDS)
            return response
        refuse_nul_characters()
    if form.validate_on_submit():
        user = authenticate(db(), form.email.data, form.password.data)
        if user is not None and may_use_password(settings, user):
            attempt.refund()
            login_user(user)
            # A CSRF token seen before sign-in (by whoever planted or read the page) must not work after it.
            flask_session.pop("csrf_token", None)
            g.pop("csrf_token", None)
            flash(greeting_on_sign_in(db(), user), "success")
            db().commit()
            return see_other(safe_next(request.args.get("next")))
        elif not settings.password_sign_in:
            # One answer for every refusal, so the page does not tell which email is the emergency account.
            form.form_errors.append("Password sign-in is only for the emergency admin account. "
                                    "Sign in with your organisation's account.")
        else:
            form.form_errors.append("Email or password is incorrect.")
    status = 422 if request.method == "POST" else 200
    return render("auth/login.html", block="form", status=status, form=form, sso=settings.uses_sso,
                  passwords=settings.password_sign_in)


@bp.post("/logout")
def logout():
    """Sign out everywhere (every session of the account ends) and go back to the sign-in page."""
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        revoke_sessions(user)
        db().add(user)
        db().commit()
    logout_user()
    flask_session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"), code=303)


def safe_next(target: str | None) -> str:
    """Only same-site paths: an attacker's link must not bounce a fresh sign-in elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target and not urlsplit(target).netloc:
        return target
    return url_for("main.dashboard")
