"""Profile pages: see and change your own profile, the browser's time zone on first sign-in, avatars."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, make_response, request, url_for
from flask_login import current_user, login_required

from ..problems import Invalid, found
from ..models import Avatar
from ..web import db, reads_only, render, see_other
from . import avatars
from .profile import detect_time_zone, time_zones, update_profile

bp = Blueprint("profiles", __name__)


def profile_context(**extra) -> dict:
    from ..api.tokens import tokens_of

    user = current_user
    context = dict(api_tokens=tokens_of(db(), user), new_token=None, token_errors={}, token_values={},
                   time_zones=time_zones(), errors={}, initials=avatars.initials(user.display_name),
                   values={"display_name": user.display_name, "timezone": user.timezone,
                           "show_on_leaderboards": user.show_on_leaderboards,
                           "show_name_in_library": user.show_name_in_library})
    context.update(extra)
    return context


@bp.get("/profile")
@reads_only
@login_required
def profile():
    """Your profile: name, time zone, picture and what others see."""
    return render("profiles/profile.html", **profile_context())


@bp.post("/profile")
@login_required
def save_profile():
    """Save your profile; a picture, if sent, is re-encoded before it is kept."""
    session = db()
    form = request.form
    user = current_user._get_current_object()
    upload = request.files.get("avatar")
    was_shown = user.show_on_leaderboards
    try:
        update_profile(session, user, form.get("display_name", ""), form.get("timezone", ""),
                       form.get("show_on_leaderboards") == "on", form.get("show_name_in_library") == "on")
        if form.get("remove_avatar") == "on":
            avatars.remove_avatar(session, user)
        elif upload is not None and upload.filename:
            avatars.store_avatar(session, user, upload.read(avatars.MAX_UPLOAD_BYTES + 1))
    except Invalid as error:
        session.rollback()
        values = {"display_name": form.get("display_name", ""), "timezone": form.get("timezone", ""),
                  "show_on_leaderboards": form.get("show_on_leaderboards") == "on",
                  "show_name_in_library": form.get("show_name_in_library") == "on"}
        return render("profiles/profile.html", status=422, **profile_context(values=values, errors=error.by_field()))
    session.commit()
    if user.show_on_leaderboards != was_shown and "learnloop_board_cache" in current_app.extensions:
        current_app.extensions["learnloop_board_cache"].forget()
    flash("Your profile is saved.", "success")
    return see_other(url_for("profiles.profile"))


@bp.post("/profile/timezone")
@login_required
def detect_timezone():
    """The zone the browser reports, taken once while the person has not chosen one (204 either way)."""
    session = db()
    if detect_time_zone(session, current_user._get_current_object(), request.form.get("timezone", "")):
        session.commit()
    return "", 204


@bp.get("/avatars/<int:user_id>")
@reads_only
@login_required
def avatar(user_id: int):
    """A person's picture, as the server re-encoded it."""
    picture = found(db().get(Avatar, user_id))
    response = make_response(picture.image)
    response.headers["Content-Type"] = picture.content_type
    # The URL carries the version, so a new upload is a new URL; private: only signed-in people see it.
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["Content-Disposition"] = "inline"
    return response
