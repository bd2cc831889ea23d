"""The signed-in home page, the liveness check and the readiness check."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, url_for
from flask_login import current_user, login_required

from ..web import db, reads_only, render, see_other
from .dashboard import dashboard_for
from .health import health_report
from .welcome import close_welcome

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """Send visitors to their dashboard, or to sign in."""
    return redirect(url_for("main.dashboard" if current_user.is_authenticated else "auth.login"))


@bp.get("/dashboard")
@reads_only
@login_required
def dashboard():
    """The signed-in user's dashboard."""
    return render("main/dashboard.html", view=dashboard_for(db(), current_user))


@bp.post("/welcome/seen")
@login_required
def welcome_seen():
    """Close the first-run welcome for good."""
    close_welcome(db(), current_user)
    db().commit()
    return see_other(url_for("main.dashboard"))


@bp.get("/livez")
def livez():
    """Liveness: the process answers. No database or Redis, so a slow dependency never restarts the app."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@bp.get("/healthz")
@reads_only
def healthz():
    """Readiness: database, Redis and queue depth, as JSON; 503 when something is down."""
    report, healthy = health_report(db(), current_app.config["LEARNLOOP"])
    return jsonify(report), 200 if healthy else 503
