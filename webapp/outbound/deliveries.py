"""Delivery rows: written with the change that causes them, each with its `outbound.deliver` outbox job."""
from __future__ import annotations

from sqlalchemy import event as sa_event
from sqlmodel import Session, select

from ..jobs import DELIVER_OUTBOUND, enqueue
from ..models import DeliveryStatus, OutboundDelivery, utcnow

JOB = DELIVER_OUTBOUND
# Keys written in this transaction (session.info): an event told twice in one change stays one row.
_WRITTEN = "outbound_keys"


def write(session: Session, channel: str, event: str, key: str, payload: dict, *, endpoint_id: int | None = None,
          chat_hook_id: int | None = None, send: bool = True) -> OutboundDelivery | None:
    """Add a delivery (and, with `send`, its job) to the session's transaction; None if `key` was written already
    in this transaction. Keys name the source row (completion:12), which a transaction creates only once."""
    written = session.info.setdefault(_WRITTEN, set())
    if key in written:
        return None
    written.add(key)
    delivery = OutboundDelivery(key=key, channel=channel, event=event, payload=payload, endpoint_id=endpoint_id,
                                chat_hook_id=chat_hook_id)
    session.add(delivery)
    if send:
        enqueue(session, JOB, f"outbound:{key}", fresh=True, delivery_key=key)
    return delivery


def forget_written(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


# Rows of a rolled-back transaction are gone: their keys may be written again.
sa_event.listen(Session, "after_rollback", forget_written)


def redeliver(session: Session, delivery: OutboundDelivery) -> None:
    """Send the delivery once more as it was (an admin asked): a job of its own, whatever the first one did."""
    delivery.redeliveries += 1
    delivery.status = DeliveryStatus.PENDING
    session.add(delivery)
    enqueue(session, JOB, f"outbound:{delivery.key}:again:{delivery.redeliveries}", delivery_key=delivery.key, again=True)


def by_key(session: Session, key: str) -> OutboundDelivery | None:
    return session.exec(select(OutboundDelivery).where(OutboundDelivery.key == key)).first()


def mark_delivered(delivery: OutboundDelivery, status_code: int | None) -> None:
    delivery.status = DeliveryStatus.DELIVERED
    delivery.delivered_at = utcnow()
    delivery.last_status_code = status_code
    delivery.last_error = None
