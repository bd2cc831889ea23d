"""Pages that make and revoke API tokens: your own on the profile page, service tokens for admins."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_login import current_user, login_required

from ..problems import Invalid
from ..models import Role
from ..security import role_required
from ..web import db, reads_only, render, see_other
from .tokens import create_token, revoke_token, scopes_for, service_tokens, status_of

bp = Blueprint("api_tokens", __name__)


def _max_days() -> int:
    return current_app.config["LEARNLOOP"].api_token_max_days


@bp.app_context_processor
def _token_helpers():
    return {"token_status": status_of, "token_scopes": scopes_for, "api_token_max_days": _max_days}


@bp.post("/profile/api-tokens")
@login_required
def create_personal_token():
    """Make a personal access token; the page shows it this once, and never again."""
    from ..profiles.routes import profile_context

    session = db()
    user = current_user._get_current_object()
    form = request.form
    try:
        new = create_token(session, user, form.get("name", ""), form.get("scope", ""), form.get("days", ""),
                           _max_days())
    except Invalid as error:
        session.rollback()
        return render("profiles/profile.html", status=422, **profile_context(
            token_errors=error.by_field(), token_values=form))
    session.commit()
    # Rendered, not redirected: the token must not travel through the session cookie or a flash message.
    return render("profiles/profile.html", **profile_context(new_token=new))


@bp.post("/profile/api-tokens/<int:token_id>/revoke")
@login_required
def revoke_personal_token(token_id: int):
    """Revoke one of your tokens: it stops working at once."""
    session = db()
    token = revoke_token(session, current_user, token_id)
    if token is None or token.service:
        abort(404)
    session.commit()
    flash(f"The token “{token.name}” is revoked.", "success")
    return see_other(url_for("profiles.profile", _anchor="api-tokens"))


def _service_page(status: int = 200, **extra):
    session = db()
    context = dict(tokens=service_tokens(session), errors={}, values={}, new_token=None)
    context.update(extra)
    return render("api/service_tokens.html", status=status, **context)


@bp.get("/admin/api-tokens")
@reads_only
@role_required(Role.ADMIN)
def service_token_list():
    """Service tokens: for systems rather than people, seen and revoked by every admin."""
    return _service_page()


@bp.post("/admin/api-tokens")
@role_required(Role.ADMIN)
def create_service_token():
    """Make a service token acting as this admin, capped by its scope; shown once."""
    session = db()
    admin = current_user._get_current_object()
    form = request.form
    try:
        new = create_token(session, admin, form.get("name", ""), form.get("scope", ""), form.get("days", ""),
                           _max_days(), service=True, created_by=admin)
    except Invalid as error:
        session.rollback()
        return _service_page(422, errors=error.by_field(), values=form)
    session.commit()
    return _service_page(new_token=new)


@bp.post("/admin/api-tokens/<int:service_token_id>/revoke")
@role_required(Role.ADMIN)
def revoke_service_token(service_token_id: int):
    """Revoke a service token, whichever admin made it."""
    session = db()
    token = revoke_token(session, current_user, service_token_id)
    if token is None or not token.service:
        abort(404)
    session.commit()
    flash(f"The service token “{token.name}” is revoked.", "success")
    return see_other(url_for("api_tokens.service_token_list"))
