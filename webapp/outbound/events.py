"""The events other systems hear about, told by the rule that makes the change, in its transaction.

Each function looks up who listens (webhook endpoints for the event, the team's chat hook, the LRS when xAPI
is configured) and writes one delivery per listener; nobody listening costs one small query and no row.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Integer, cast, literal, null
from sqlalchemy import event as sa_event
from sqlmodel import Session, select

from ..models import (
    Badge, BadgeAward, Challenge, ChallengeStatus, ChallengeTeam, ChatHook, Completion, Feedback, Lesson,
    LessonSummary, Mission, Reflection, WebhookEndpoint, utcnow,
)
from . import chat, deliveries, xapi
from .config import base_url, current_settings

COMPLETION_RECORDED = "completion.recorded"
BADGE_AWARDED = "badge.awarded"
LESSON_PUBLISHED = "lesson.published"
CHALLENGE_STATE_CHANGED = "challenge.state_changed"
EVENTS = {
    COMPLETION_RECORDED: "Completion recorded",
    BADGE_AWARDED: "Badge awarded",
    LESSON_PUBLISHED: "Lesson published",
    CHALLENGE_STATE_CHANGED: "Challenge state changed",
}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


_LISTENERS = "outbound_listeners"


def _listeners(session: Session, team_id: int | None = None) -> dict:
    """{"endpoints": [(id, events)], "hooks": {team_id: [hook id]}} of what is switched on, read once per
    transaction (one act, a completion and the badges it earns, tells several events) and in one statement
    for the acting team: a completion costs one query more, whatever listens."""
    cached = session.info.setdefault(_LISTENERS, {"endpoints": None, "hooks": {}})
    if cached["endpoints"] is None:
        endpoints = select(WebhookEndpoint.id, WebhookEndpoint.events, literal(None, Integer).label("team_id")).where(
            WebhookEndpoint.active == True)  # noqa: E712 - SQL comparison
        if team_id is not None:
            endpoints = endpoints.union_all(select(ChatHook.id, cast(null(), JSON), ChatHook.team_id).where(
                ChatHook.team_id == team_id, ChatHook.active == True))  # noqa: E712
        rows = session.exec(endpoints).all()
        cached["endpoints"] = [(row[0], row[1]) for row in rows if row[2] is None]
        if team_id is not None:
            cached["hooks"][team_id] = [row[0] for row in rows if row[2] is not None]
    if team_id is not None and team_id not in cached["hooks"]:
        cached["hooks"][team_id] = list(session.exec(select(ChatHook.id).where(
            ChatHook.team_id == team_id, ChatHook.active == True)))  # noqa: E712
    return cached


def _forget_listeners(session: Session, *_args) -> None:
    session.info.pop(_LISTENERS, None)


sa_event.listen(Session, "after_commit", _forget_listeners)
sa_event.listen(Session, "after_rollback", _forget_listeners)


def _webhooks(session: Session, event: str, source_key: str, data: dict, occurred_at: datetime,
              team_id: int | None = None) -> None:
    for endpoint_id, events in _listeners(session, team_id)["endpoints"]:
        if event not in events:
            continue
        key = f"wh{endpoint_id}:{source_key}"
        body = {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"learnloop:{key}")), "type": event,
                "created_at": _iso(occurred_at), "data": data}
        deliveries.write(session, "webhook", event, key, body, endpoint_id=endpoint_id)


def _chat(session: Session, team_ids: list[int], event: str, source_key: str, message: dict) -> None:
    for team_id in team_ids:
        for hook_id in _listeners(session, team_id)["hooks"][team_id]:
            deliveries.write(session, "chat", event, f"chat{hook_id}:{source_key}", message, chat_hook_id=hook_id)


def _xapi(session: Session, source_key: str, build) -> None:
    settings = current_settings()
    if not settings.sends_xapi:
        return
    statement = build(xapi.Vocabulary(base_url(settings), settings.secret_key_value()))
    deliveries.write(session, "xapi", statement["verb"]["display"]["en"], f"xapi:{source_key}", statement)


def completion_recorded(session: Session, completion: Completion, mission: Mission, challenge: Challenge) -> None:
    """A completion counted (at once, or when its lead approved it)."""
    data = {"completion_id": completion.id, "user_id": completion.user_id, "team_id": completion.team_id,
            "mission": {"id": mission.id, "title": mission.title, "kind": str(mission.kind), "points": mission.points},
            "challenge": {"id": challenge.id, "title": challenge.title}, "points": mission.points,
            "recorded_at": _iso(completion.created_at)}
    source = f"completion:{completion.id}"
    _webhooks(session, COMPLETION_RECORDED, source, data, completion.created_at, completion.team_id)
    _xapi(session, source, lambda vocab: xapi.mission_completed(vocab, completion, mission, challenge))


def badge_awarded(session: Session, award: BadgeAward, badge: Badge) -> None:
    """A badge was awarded to a person or (team badges) to a team."""
    data = {"award_id": award.id, "badge": {"id": badge.id, "name": badge.name}, "challenge_id": award.challenge_id,
            "user_id": award.user_id, "team_id": award.team_id, "awarded_at": _iso(award.awarded_at)}
    source = f"badge-award:{award.id}"
    _webhooks(session, BADGE_AWARDED, source, data, award.awarded_at, award.team_id)
    if award.user_id is not None:
        _xapi(session, source, lambda vocab: xapi.badge_earned(
            vocab, award, badge, session.get(Challenge, award.challenge_id)))
    if award.team_id is not None and award.user_id is None:
        _chat(session, [award.team_id], BADGE_AWARDED, source, chat.team_badge_message(
            badge.name, _challenge_title(session, award.challenge_id), base_url(current_settings())))


def lesson_published(session: Session, summary: LessonSummary, lessons: list[Lesson]) -> None:
    """A lead published a team's lesson summary to the library."""
    settings = current_settings()
    link = f"{base_url(settings)}/library/summaries/{summary.id}"
    data = {"summary_id": summary.id, "team_id": summary.team_id, "challenge_id": summary.challenge_id,
            "lessons": len(lessons), "url": link, "published_at": _iso(summary.published_at)}
    source = f"lesson-summary:{summary.id}"
    _webhooks(session, LESSON_PUBLISHED, source, data, summary.published_at or utcnow(), summary.team_id)
    _chat(session, [summary.team_id], LESSON_PUBLISHED, source, chat.lesson_message(
        _challenge_title(session, summary.challenge_id), len(lessons), link))


def challenge_state_changed(session: Session, challenge: Challenge, old: ChallengeStatus,
                            new: ChallengeStatus) -> None:
    """A challenge moved (by a person or by the clock); its teams' chats hear when it starts and ends."""
    now = utcnow()
    # A challenge can pass through the same status twice (unpublished, published again): each move is its own event.
    source = f"challenge:{challenge.id}:{new.value}:{uuid.uuid4().hex[:12]}"
    data = {"challenge": {"id": challenge.id, "title": challenge.title}, "from": old.value, "to": new.value,
            "changed_at": _iso(now)}
    _webhooks(session, CHALLENGE_STATE_CHANGED, source, data, now)
    if new in (ChallengeStatus.RUNNING, ChallengeStatus.CLOSED) and old != new:
        teams = list(session.exec(select(ChallengeTeam.team_id).where(ChallengeTeam.challenge_id == challenge.id)))
        if teams:
            link = f"{base_url(current_settings())}/play/challenges/{challenge.id}"
            _chat(session, teams, CHALLENGE_STATE_CHANGED, f"challenge:{challenge.id}:{new.value}",
                  chat.challenge_message(challenge.title, started=new == ChallengeStatus.RUNNING, link=link))


def reflection_answered(session: Session, reflection: Reflection) -> None:
    _xapi(session, f"reflection:{reflection.id}", lambda vocab: xapi.reflection_answered(
        vocab, reflection, session.get(Challenge, reflection.challenge_id)))


def feedback_given(session: Session, feedback: Feedback) -> None:
    _xapi(session, f"feedback:{feedback.id}", lambda vocab: xapi.feedback_given(
        vocab, feedback, session.get(Challenge, feedback.challenge_id)))


def _challenge_title(session: Session, challenge_id: int) -> str:
    challenge = session.get(Challenge, challenge_id)
    return challenge.title if challenge else "a challenge"


__all__ = ["EVENTS", "badge_awarded", "challenge_state_changed", "completion_recorded", "feedback_given",
           "lesson_published", "reflection_answered"]
