"""Send the history to the learning record store: every counted completion, answered reflection, feedback and
personal badge, as the same statements (same ids) the live events send, so nothing is ever stored twice."""
from __future__ import annotations

from collections.abc import Callable, Iterator

from sqlmodel import Session, col, select

from ..jobs import enqueue
from ..models import (
    Badge, BadgeAward, Challenge, Completion, CompletionStatus, DeliveryAttempt, DeliveryStatus, Feedback, Mission,
    OutboundDelivery, Reflection,
)
from ..settings import Settings
from . import deliveries, sending, xapi

BATCH = 200


def count(session: Session) -> int:
    from sqlalchemy import func

    total = 0
    for query in (select(func.count()).select_from(Completion).where(Completion.status == CompletionStatus.APPROVED),
                  select(func.count()).select_from(Reflection), select(func.count()).select_from(Feedback),
                  select(func.count()).select_from(BadgeAward).where(col(BadgeAward.user_id).is_not(None))):
        total += session.exec(query).one()
    return total


def history(session: Session, vocab: xapi.Vocabulary) -> Iterator[tuple[str, dict]]:
    """(source key, statement) for everything that happened, oldest first within each kind."""
    challenges = {challenge.id: challenge for challenge in session.exec(select(Challenge))}
    missions = {mission.id: mission for mission in session.exec(select(Mission))}
    badges = {badge.id: badge for badge in session.exec(select(Badge))}
    for completion in _batched(session, select(Completion).where(Completion.status == CompletionStatus.APPROVED),
                               Completion):
        yield f"completion:{completion.id}", xapi.mission_completed(
            vocab, completion, missions[completion.mission_id], challenges[completion.challenge_id])
    for reflection in _batched(session, select(Reflection), Reflection):
        yield f"reflection:{reflection.id}", xapi.reflection_answered(
            vocab, reflection, challenges.get(reflection.challenge_id))
    for feedback in _batched(session, select(Feedback), Feedback):
        yield f"feedback:{feedback.id}", xapi.feedback_given(vocab, feedback, challenges.get(feedback.challenge_id))
    for award in _batched(session, select(BadgeAward).where(col(BadgeAward.user_id).is_not(None)), BadgeAward):
        yield f"badge-award:{award.id}", xapi.badge_earned(vocab, award, badges[award.badge_id],
                                                          challenges.get(award.challenge_id))


def _batched(session: Session, query, model) -> Iterator:
    last = 0
    while True:
        rows = list(session.exec(query.where(model.id > last).order_by(model.id).limit(BATCH)))
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def backfill(session: Session, settings: Settings, advance: Callable[[], None] = lambda: None) -> dict[str, int]:
    """Send every statement the LRS has not confirmed yet; returns counts of sent, already there and failed.
    A statement the LRS refuses now is left to the outbox, which retries it with backoff."""
    vocab = xapi.Vocabulary(settings.public_url, settings.secret_key_value())
    known = dict(session.exec(select(OutboundDelivery.key, OutboundDelivery.status).where(
        OutboundDelivery.channel == "xapi")).all())
    counts = {"sent": 0, "already": 0, "failed": 0}
    pending = 0
    for source_key, statement in history(session, vocab):
        key = f"xapi:{source_key}"
        if known.get(key) == DeliveryStatus.DELIVERED:
            counts["already"] += 1
            advance()
            continue
        delivery = deliveries.by_key(session, key) if key in known else None
        if delivery is None:
            delivery = deliveries.write(session, "xapi", statement["verb"]["display"]["en"], key, statement,
                                        send=False)
            session.flush()
        answer = sending.send_statement(settings, delivery.payload)
        delivery.attempts += 1
        session.add(DeliveryAttempt(delivery_id=delivery.id, status_code=answer.status_code, error=answer.error,
                                    duration_ms=answer.duration_ms))
        if answer.ok:
            deliveries.mark_delivered(delivery, answer.status_code)
            counts["sent"] += 1
        else:
            delivery.last_error = answer.error
            enqueue(session, deliveries.JOB, f"outbound:{key}:backfill:{delivery.attempts}", delivery_key=key)
            counts["failed"] += 1
        session.add(delivery)
        pending += 1
        if pending >= BATCH:
            session.commit()
            pending = 0
        advance()
    session.commit()
    return counts
