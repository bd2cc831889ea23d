"""Notification pages: the centre, the unread count in the navigation, settings, one-click unsubscribe."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_login import current_user, login_required

from ..models import User
from ..security import csrf
from ..web import db, is_htmx, reads_only, render, see_other
from . import preferences, queries
from .kinds import DIGEST, KINDS, label

bp = Blueprint("notifications", __name__)


def _settings():
    return current_app.config["LEARNLOOP"]


@bp.get("/notifications")
@reads_only
@login_required
def page():
    """Your notifications, unread first, each linking to its place."""
    session = db()
    user = current_user._get_current_object()
    return render("notifications/page.html", "notification_list", notifications=queries.recent(session, user),
                  unread=queries.unread_count(session, user), label=label)


@bp.get("/notifications/count")
@reads_only
def count():
    """The unread count in the navigation; htmx polls it, so it changes without a reload."""
    if not current_user.is_authenticated:
        if not is_htmx():
            return current_app.login_manager.unauthorized()
        # The session ended while the page stayed open: a plain link that polls no more, in place of the error
        # panel every other htmx request gets (it would land in the navigation, again at every poll).
        return render("notifications/_nav_signed_out.html")
    # htmx names the page it polls from: the link stays marked as the current page there.
    on_page = urlsplit(request.headers.get("HX-Current-URL", "")).path == url_for("notifications.page")
    return render("notifications/_nav.html", unread=queries.unread_count(db(), current_user._get_current_object()),
                  poll_seconds=_settings().notification_poll_seconds, on_notifications_page=on_page)


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int):
    """Mark one of your notifications read (someone else's is not found)."""
    session = db()
    user = current_user._get_current_object()
    if queries.mark_read(session, user, notification_id) is None:
        abort(404)
    session.commit()
    return _after_marking(session, user)


@bp.post("/notifications/read-all")
@login_required
def mark_all_read():
    """Mark all your notifications read."""
    session = db()
    user = current_user._get_current_object()
    queries.mark_all_read(session, user)
    session.commit()
    return _after_marking(session, user)


def _after_marking(session, user: User):
    if request.headers.get("HX-Request") == "true":
        return render("notifications/page.html", "notification_list", notifications=queries.recent(session, user),
                      unread=queries.unread_count(session, user), label=label)
    return see_other(url_for("notifications.page"))


def _settings_context(session, user: User, **extra) -> dict:
    context = dict(choices=preferences.choices(session, user.id), kinds=KINDS, digest=DIGEST, label=label,
                   digest_weekday=_settings().digest_weekday, digest_hour=_settings().digest_hour)
    context.update(extra)
    return context


@bp.get("/profile/notifications")
@reads_only
@login_required
def settings_page():
    """What reaches you by email and in the weekly digest (in the app: everything)."""
    session = db()
    return render("notifications/settings.html", **_settings_context(session, current_user._get_current_object()))


@bp.post("/profile/notifications")
@login_required
def save_settings():
    """Save your choices: a ticked box is on."""
    session = db()
    preferences.save_all(session, current_user._get_current_object(), request.form)
    session.commit()
    flash("Your notification settings are saved.", "success")
    return see_other(url_for("notifications.settings_page"))


@bp.get("/unsubscribe/<token>")
@reads_only
def unsubscribe_page(token: str):
    """The link in every message: says what it stops and asks for a click (a mail scanner's GET changes nothing)."""
    try:
        user_id, kind = preferences.read_unsubscribe_token(_settings().secret_key_value(), token)
    except preferences.UnsubscribeRefused as refused:
        return render("notifications/unsubscribe.html", status=400, error=str(refused))
    return render("notifications/unsubscribe.html", token=token, what=label(kind), done=False,
                  known=db().get(User, user_id) is not None)


@bp.post("/unsubscribe/<token>")
@csrf.exempt  # RFC 8058: the mail client POSTs with no session and no form; the signed token is the authority
def unsubscribe(token: str):
    """One-click unsubscribe (from the mail client, or the confirmation page's button): no sign-in needed."""
    session = db()
    try:
        user_id, kind = preferences.read_unsubscribe_token(_settings().secret_key_value(), token)
    except preferences.UnsubscribeRefused as refused:
        return render("notifications/unsubscribe.html", status=400, error=str(refused))
    if session.get(User, user_id) is None:
        return render("notifications/unsubscribe.html", status=400, error="This account no longer exists.")
    preferences.unsubscribe(session, user_id, kind)
    session.commit()
    return render("notifications/unsubscribe.html", what=label(kind), done=True)
