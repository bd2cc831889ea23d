"""Pages: admins' webhook endpoints with their delivery log, and each team's chat hook (its lead or an admin)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_login import current_user, login_required
from sqlmodel import select

from ..models import ChatHook, Membership, OutboundDelivery, Role, Team
from ..security import role_required
from ..web import db, render, see_other
from . import chat, deliveries, webhooks
from .events import EVENTS

bp = Blueprint("outbound", __name__)


def _endpoint_or_404(endpoint_id: int):
    from ..models import WebhookEndpoint

    endpoint = db().get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        abort(404)
    return endpoint


@bp.get("/admin/webhooks")
@role_required(Role.ADMIN)
def webhooks_page():
    """The registered endpoints, and a form to add one."""
    return render("outbound/webhooks.html", endpoints=webhooks.endpoints(db()), events=EVENTS, values={},
                  errors={})


@bp.post("/admin/webhooks")
@role_required(Role.ADMIN)
def add_webhook():
    """Register an endpoint; the page shows its signing secret this once."""
    session = db()
    form = request.form
    try:
        endpoint = webhooks.register(session, current_user, form.get("url", ""), form.getlist("events"),
                                     form.get("description", ""))
    except webhooks.EndpointInvalid as error:
        session.rollback()
        return render("outbound/webhooks.html", status=422, endpoints=webhooks.endpoints(session), events=EVENTS,
                      values={"url": form.get("url", ""), "description": form.get("description", ""),
                              "events": form.getlist("events")}, errors=error.errors)
    session.commit()
    # Shown in this answer only (not through a redirect or the session cookie): it is never displayed again.
    return render("outbound/webhook_created.html", status=201, endpoint=endpoint)


@bp.get("/admin/webhooks/<int:endpoint_id>")
@role_required(Role.ADMIN)
def webhook(endpoint_id: int):
    """One endpoint: its events, state and delivery log with response codes."""
    endpoint = _endpoint_or_404(endpoint_id)
    return render("outbound/webhook.html", endpoint=endpoint, log=webhooks.delivery_log(db(), endpoint),
                  events=EVENTS)


@bp.post("/admin/webhooks/<int:endpoint_id>/active")
@role_required(Role.ADMIN)
def switch_webhook(endpoint_id: int):
    """Switch an endpoint on (its failure count starts again) or off."""
    session = db()
    endpoint = _endpoint_or_404(endpoint_id)
    active = request.form.get("active") == "on"
    webhooks.set_active(session, endpoint, active)
    session.commit()
    flash(f"Endpoint {'switched on' if active else 'switched off'}.", "success")
    return see_other(url_for("outbound.webhook", endpoint_id=endpoint.id))


@bp.post("/admin/webhooks/<int:endpoint_id>/delete")
@role_required(Role.ADMIN)
def delete_webhook(endpoint_id: int):
    """Remove an endpoint and its delivery log."""
    session = db()
    endpoint = _endpoint_or_404(endpoint_id)
    session.delete(endpoint)
    session.commit()
    flash("Endpoint removed.", "success")
    return see_other(url_for("outbound.webhooks_page"))


@bp.post("/admin/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver")
@role_required(Role.ADMIN)
def redeliver(endpoint_id: int, delivery_id: int):
    """Send one delivery again, as it was (signed anew)."""
    session = db()
    endpoint = _endpoint_or_404(endpoint_id)
    delivery = session.get(OutboundDelivery, delivery_id)
    if delivery is None or delivery.endpoint_id != endpoint.id:
        abort(404)
    deliveries.redeliver(session, delivery)
    session.commit()
    flash("Delivery queued to be sent again.", "success")
    return see_other(url_for("outbound.webhook", endpoint_id=endpoint.id))


def _team_for_chat(team_id: int) -> Team:
    """The team, if the signed-in person leads it or is an admin; 404 otherwise (others need not know it)."""
    session = db()
    team = session.get(Team, team_id)
    if team is None:
        abort(404)
    if current_user.role != Role.ADMIN:
        leads = session.exec(select(Membership.id).where(Membership.team_id == team.id,
                                                         Membership.user_id == current_user.id,
                                                         Membership.is_lead == True)).first()  # noqa: E712
        if leads is None:
            abort(404)
    return team


def _chat_context(team: Team, **extra) -> dict:
    hook = db().exec(select(ChatHook).where(ChatHook.team_id == team.id)).first()
    context = dict(team=team, hook=hook, errors={}, service_name=chat.service_name)
    context.update(extra)
    return context


@bp.get("/teams/<int:team_id>/chat")
@login_required
def chat_page(team_id: int):
    """The team's chat hook: whether one is set (never its address), and a form to set or remove it."""
    return render("outbound/chat.html", **_chat_context(_team_for_chat(team_id)))


@bp.post("/teams/<int:team_id>/chat")
@login_required
def save_chat(team_id: int):
    """Set or replace the team's incoming-webhook address."""
    team = _team_for_chat(team_id)
    session = db()
    try:
        hook = chat.save_hook(session, current_app.config["LEARNLOOP"], team, current_user, request.form.get("url", ""))
    except chat.ChatHookRefused as error:
        session.rollback()
        return render("outbound/chat.html", block="chat_form", status=422,
                      **_chat_context(team, errors={"url": error.message}))
    session.commit()
    flash(f"Saved: the team's messages go to {chat.service_name(hook.kind)} ({hook.host}).", "success")
    return see_other(url_for("outbound.chat_page", team_id=team.id))


@bp.post("/teams/<int:team_id>/chat/remove")
@login_required
def remove_chat(team_id: int):
    """Stop sending the team's messages to chat."""
    team = _team_for_chat(team_id)
    session = db()
    removed = chat.remove_hook(session, team)
    session.commit()
    flash("Chat messages stopped." if removed else "No chat address was set.", "success")
    return see_other(url_for("outbound.chat_page", team_id=team.id))
