"""xAPI 1.0.3 statements for what people do: mission completed, reflection answered, feedback given, badge earned.

Actors are accounts at the deployment (homePage = PUBLIC_URL, name = a pseudonymous id derived from the person's
id with the secret key, never their email). Statement ids are uuid5 of the deployment and the source row, so the
same fact sent twice (a retry, a backfill) is the same statement and the LRS keeps one.
"""
from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from ..models import Badge, BadgeAward, Challenge, Completion, Feedback, Mission, Reflection

VERSION = "1.0.3"
COMPLETED = ("http://adlnet.gov/expapi/verbs/completed", "completed")
ANSWERED = ("http://adlnet.gov/expapi/verbs/answered", "answered")
COMMENTED = ("http://adlnet.gov/expapi/verbs/commented", "commented")
# Open Badges' xAPI verb (ADL's vocabulary has none for earning a badge).
EARNED = ("https://openbadgespec.org/xapi/verbs/earned", "earned")
TYPE_CHALLENGE = "http://adlnet.gov/expapi/activities/course"
TYPE_MISSION = "http://adlnet.gov/expapi/activities/objective"
TYPE_QUESTION = "http://adlnet.gov/expapi/activities/question"
TYPE_BADGE = "https://openbadgespec.org/xapi/activities/badge"
TYPE_ITEM = "http://activitystrea.ms/schema/1.0/article"


class InvalidStatement(ValueError):
    """A statement Learnloop built does not follow xAPI (some LRSs accept such statements; we never send one)."""


@dataclass(frozen=True)
class Vocabulary:
    """The deployment's address and key: everything a statement's ids derive from."""

    base_url: str
    secret_key: str

    def actor(self, user_id: int) -> dict:
        name = hmac.new(self.secret_key.encode(), f"xapi-actor:{user_id}".encode(), hashlib.sha256).hexdigest()[:32]
        return {"objectType": "Agent", "account": {"homePage": self.base_url, "name": name}}

    def activity_id(self, kind: str, row_id: int) -> str:
        return f"{self.base_url}/xapi/activities/{kind}/{row_id}"

    def statement_id(self, source_key: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.base_url}/xapi/statements/{source_key}"))

    def activity(self, kind: str, row_id: int, type_: str, name: str) -> dict:
        return {"objectType": "Activity", "id": self.activity_id(kind, row_id),
                "definition": {"type": type_, "name": {"en": name[:200]}}}

    def context(self, challenge: Challenge | None, challenge_id: int) -> dict:
        title = challenge.title if challenge else f"Challenge {challenge_id}"
        return {"platform": "Learnloop", "language": "en",
                "contextActivities": {"parent": [self.activity("challenge", challenge_id, TYPE_CHALLENGE, title)]}}


def _timestamp(value: datetime) -> str:
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _statement(vocab: Vocabulary, source_key: str, user_id: int, verb: tuple[str, str], object_: dict,
               challenge: Challenge | None, challenge_id: int, when: datetime, result: dict | None = None) -> dict:
    statement = {"id": vocab.statement_id(source_key), "actor": vocab.actor(user_id),
                 "verb": {"id": verb[0], "display": {"en": verb[1]}}, "object": object_,
                 "context": vocab.context(challenge, challenge_id), "timestamp": _timestamp(when),
                 "version": VERSION}
    if result:
        statement["result"] = result
    validate(statement)
    return statement


def mission_completed(vocab: Vocabulary, completion: Completion, mission: Mission, challenge: Challenge) -> dict:
    return _statement(vocab, f"completion:{completion.id}", completion.user_id, COMPLETED,
                      vocab.activity("mission", mission.id, TYPE_MISSION, mission.title), challenge, challenge.id,
                      completion.created_at, {"completion": True, "success": True,
                                              "extensions": {f"{vocab.base_url}/xapi/extensions/points": mission.points}})


def reflection_answered(vocab: Vocabulary, reflection: Reflection, challenge: Challenge | None) -> dict:
    # The answer itself stays in Learnloop: it may be private, and the LRS only needs that it was given.
    kind, row = ("reflection-prompt", reflection.prompt_id) if reflection.prompt_id else ("reflection", reflection.id)
    return _statement(vocab, f"reflection:{reflection.id}", reflection.user_id, ANSWERED,
                      vocab.activity(kind, row, TYPE_QUESTION, "Reflection prompt"), challenge,
                      reflection.challenge_id, reflection.created_at, {"completion": True})


def feedback_given(vocab: Vocabulary, feedback: Feedback, challenge: Challenge | None) -> dict:
    return _statement(vocab, f"feedback:{feedback.id}", feedback.author_id, COMMENTED,
                      vocab.activity(feedback.item_type, feedback.item_id, TYPE_ITEM,
                                     f"A teammate's {feedback.item_type}"),
                      challenge, feedback.challenge_id, feedback.created_at)


def badge_earned(vocab: Vocabulary, award: BadgeAward, badge: Badge, challenge: Challenge | None = None) -> dict:
    return _statement(vocab, f"badge-award:{award.id}", award.user_id, EARNED,
                      vocab.activity("badge", badge.id, TYPE_BADGE, badge.name), challenge, award.challenge_id,
                      award.awarded_at)


def _is_iri(value: object) -> bool:
    parts = urlsplit(value) if isinstance(value, str) else None
    return bool(parts and parts.scheme in ("http", "https") and parts.netloc)


def validate(statement: dict) -> None:
    """Raise InvalidStatement unless the statement has what xAPI 1.0.3 requires of the parts we use."""
    try:
        uuid.UUID(statement["id"])
        account = statement["actor"]["account"]
        if not _is_iri(account["homePage"]) or not account["name"]:
            raise InvalidStatement("the actor's account needs a homePage IRL and a name")
        if "mbox" in statement["actor"]:
            raise InvalidStatement("actors are accounts, never email addresses")
        if not _is_iri(statement["verb"]["id"]):
            raise InvalidStatement(f"verb id {statement['verb']['id']!r} is not an IRI")
        if not _is_iri(statement["object"]["id"]):
            raise InvalidStatement(f"object id {statement['object']['id']!r} is not an IRI")
        for parent in statement.get("context", {}).get("contextActivities", {}).get("parent", []):
            if not _is_iri(parent["id"]):
                raise InvalidStatement(f"context activity id {parent['id']!r} is not an IRI")
        datetime.fromisoformat(statement["timestamp"].replace("Z", "+00:00"))
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, InvalidStatement):
            raise
        raise InvalidStatement(f"malformed statement: {error}") from None
