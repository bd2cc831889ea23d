"""Sign-in and sign-out."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_login import current_user, login_user, logout_user

from ..security import limiter, sign_in_throttle_key
from ..web import db, render, see_other
from .accounts import authenticate, may_use_password
from .forms import SignInForm

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per 5 minutes", key_func=sign_in_throttle_key, methods=["POST"],
               deduct_when=lambda response: response.status_code == 422)
def login():
    """Show the sign-in form; sign in on valid credentials."""
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    settings = current_app.config["LEARNLOOP"]
    form = SignInForm()
    if form.validate_on_submit():
        user = authenticate(db(), form.email.data, form.password.data)
        if user is not None and may_use_password(settings, user):
            login_user(user)
            flash(f"Welcome back, {user.display_name}.", "success")
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
    """Sign out and go back to the sign-in page."""
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"), code=303)


def safe_next(target: str | None) -> str:
    """Only same-site paths: an attacker's link must not bounce a fresh sign-in elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target and not urlsplit(target).netloc:
        return target
    return url_for("main.dashboard")
