"""Admins' webhook endpoints: register (the secret is returned once), switch on or off, remove, read the log."""
from __future__ import annotations

from urllib.parse import urlsplit

from sqlmodel import Session, col, select

from ..models import DeliveryAttempt, OutboundDelivery, User, WebhookEndpoint
from . import signing
from .events import EVENTS

URL_MAX = 2000
DESCRIPTION_MAX = 200
LOG_SIZE = 50


class EndpointInvalid(ValueError):
    """What is wrong with the form, per field; nothing was stored."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def register(session: Session, user: User, url: str, events: list[str], description: str = "") -> WebhookEndpoint:
    """Store a new endpoint with a fresh secret (the caller shows `endpoint.secret` once). Raises EndpointInvalid."""
    url, description = (url or "").strip(), (description or "").strip()
    errors = {}
    parts = urlsplit(url)
    if not url:
        errors["url"] = "Enter the address that will receive the events."
    elif len(url) > URL_MAX or parts.scheme not in ("http", "https") or not parts.hostname:
        errors["url"] = "The address must start with https:// (or http://) and name a host."
    chosen = [event for event in EVENTS if event in set(events)]
    if not chosen or len(chosen) != len(set(events)):
        errors["events"] = "Choose at least one of the events listed."
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = f"Keep the description under {DESCRIPTION_MAX} characters."
    if errors:
        raise EndpointInvalid(errors)
    endpoint = WebhookEndpoint(url=url, description=description, events=chosen, secret=signing.new_secret(),
                               created_by_id=user.id)
    session.add(endpoint)
    session.flush()
    return endpoint


def set_active(session: Session, endpoint: WebhookEndpoint, active: bool) -> None:
    endpoint.active = active
    if active:
        endpoint.consecutive_failures, endpoint.disabled_reason = 0, None
    session.add(endpoint)


def endpoints(session: Session) -> list[WebhookEndpoint]:
    return list(session.exec(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


def delivery_log(session: Session, endpoint: WebhookEndpoint) -> list[tuple[OutboundDelivery, list[DeliveryAttempt]]]:
    """The endpoint's latest deliveries, newest first, each with its attempts (response codes and errors)."""
    rows = list(session.exec(select(OutboundDelivery).where(OutboundDelivery.endpoint_id == endpoint.id)
                             .order_by(col(OutboundDelivery.id).desc()).limit(LOG_SIZE)))
    attempts: dict[int, list[DeliveryAttempt]] = {}
    if rows:
        for attempt in session.exec(select(DeliveryAttempt).where(
                col(DeliveryAttempt.delivery_id).in_([row.id for row in rows])).order_by(DeliveryAttempt.id)):
            attempts.setdefault(attempt.delivery_id, []).append(attempt)
    return [(row, attempts.get(row.id, [])) for row in rows]
