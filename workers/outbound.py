"""The `outbound.deliver` job: send one delivery, log the attempt, and let the outbox retry a failure with backoff.

A webhook endpoint or chat hook that fails OUTBOUND_DISABLE_AFTER attempts in a row is switched off (a chat
hook's leads are told in the app); its waiting deliveries are then skipped, not sent.
"""
from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session

from webapp.jobs import DELIVER_OUTBOUND, job
from webapp.models import ChatHook, DeliveryAttempt, DeliveryStatus, OutboundDelivery, OutboxJob, WebhookEndpoint
from webapp.outbound import chat, deliveries, sending
from webapp.settings import Settings, get_settings


class DeliveryFailed(Exception):
    """The receiver did not take the delivery; the outbox runs the job again after its backoff."""


def mark_delivery_failed(session: Session, job: OutboxJob, reason: str) -> None:
    """Failure hook: out of attempts, the delivery shows as failed in the log (an admin may send it again)."""
    delivery = deliveries.by_key(session, job.payload.get("delivery_key", ""))
    if delivery is not None and delivery.status == DeliveryStatus.PENDING:
        delivery.status = DeliveryStatus.FAILED
        session.add(delivery)


@job(DELIVER_OUTBOUND, on_failure=mark_delivery_failed)
def deliver(session: Session, *, delivery_key: str, job: OutboxJob, again: bool = False) -> None:
    """Send delivery `delivery_key` once; a delivered one is sent again only when an admin asked (`again`)."""
    settings = get_settings()
    delivery = deliveries.by_key(session, delivery_key)
    if delivery is None or (delivery.status == DeliveryStatus.DELIVERED and not again):
        return
    target = _target(session, delivery)
    if target is not None and not target.active:
        delivery.status = DeliveryStatus.SKIPPED
        delivery.last_error = "Not sent: switched off before it went."
        session.add(delivery)
        return
    answer = send(settings, delivery, target)
    delivery.attempts += 1
    delivery.last_status_code = answer.status_code
    session.add(DeliveryAttempt(delivery_id=delivery.id, status_code=answer.status_code, error=answer.error,
                                duration_ms=answer.duration_ms))
    if answer.ok:
        deliveries.mark_delivered(delivery, answer.status_code)
        if target is not None:
            target.consecutive_failures = 0
            session.add(target)
        session.add(delivery)
        return
    delivery.last_error = answer.error
    session.add(delivery)
    if target is not None:
        # Counted in SQL: deliveries to one endpoint may fail at the same moment on two workers.
        kind = type(target)
        session.exec(update(kind).where(kind.id == target.id)
                     .values(consecutive_failures=kind.consecutive_failures + 1))
        session.refresh(target)
        if target.active and target.consecutive_failures >= settings.outbound_disable_after:
            _switch_off(session, target, f"{target.consecutive_failures} failed attempts in a row "
                                         f"(last: {answer.error})")
            delivery.status = DeliveryStatus.FAILED
            return
    # The attempt and the counters are kept; the raise makes the outbox retry later (its rollback undoes nothing).
    session.commit()
    raise DeliveryFailed(answer.error)


def send(settings: Settings, delivery: OutboundDelivery, target) -> sending.Answer:
    if delivery.channel == "webhook":
        return sending.send_webhook(settings, target, delivery)
    if delivery.channel == "chat":
        return sending.send_chat(settings, target, delivery)
    if not settings.sends_xapi:
        return sending.Answer(False, None, "XAPI_ENDPOINT is not set", 0)
    return sending.send_statement(settings, delivery.payload)


def _target(session: Session, delivery: OutboundDelivery) -> WebhookEndpoint | ChatHook | None:
    if delivery.endpoint_id is not None:
        return session.get(WebhookEndpoint, delivery.endpoint_id)
    if delivery.chat_hook_id is not None:
        return session.get(ChatHook, delivery.chat_hook_id)
    return None


def _switch_off(session: Session, target: WebhookEndpoint | ChatHook, reason: str) -> None:
    if isinstance(target, ChatHook):
        chat.switch_off(session, target, reason)
    else:
        target.active = False
        target.disabled_reason = reason[:300]
        session.add(target)
