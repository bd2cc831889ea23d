"""One HTTP request per attempt: a signed webhook, a chat message, or an xAPI statement. No retries here; the
outbox job around it owns attempts and backoff."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass

import requests

from ..models import ChatHook, OutboundDelivery, WebhookEndpoint
from ..settings import Settings
from . import chat, signing

USER_AGENT = "Learnloop-Outbound/1"


@dataclass
class Answer:
    ok: bool
    status_code: int | None
    error: str | None
    duration_ms: int


def _post(method: str, url: str, settings: Settings, ok_codes: frozenset[int] | None = None, **kwargs) -> Answer:
    started = time.perf_counter()
    try:
        response = requests.request(method, url, timeout=settings.outbound_timeout_seconds, allow_redirects=False,
                                    **kwargs)
    except requests.RequestException as error:
        return Answer(False, None, f"{type(error).__name__}: {error}"[:500], _ms(started))
    ok = response.status_code in ok_codes if ok_codes else 200 <= response.status_code < 300
    error = None if ok else f"HTTP {response.status_code}: {response.text[:200]}"
    return Answer(ok, response.status_code, error, _ms(started))


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def send_webhook(settings: Settings, endpoint: WebhookEndpoint, delivery: OutboundDelivery) -> Answer:
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = int(time.time())
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
               signing.ID_HEADER: delivery.payload.get("id", delivery.key), signing.EVENT_HEADER: delivery.event,
               signing.TIMESTAMP_HEADER: str(timestamp),
               signing.SIGNATURE_HEADER: signing.signature(endpoint.secret, timestamp, body)}
    return _post("POST", endpoint.url, settings, data=body, headers=headers)


def send_chat(settings: Settings, hook: ChatHook, delivery: OutboundDelivery) -> Answer:
    try:
        url = chat.decrypt_url(settings, hook.url_encrypted)
    except chat.InvalidToken:
        return Answer(False, None, "The stored address cannot be read: the encryption key changed. Set it again.", 0)
    return _post("POST", url, settings, json=chat.body_for(hook.kind, delivery.payload),
                 headers={"User-Agent": USER_AGENT})


# 409: the LRS has this statement id already (a retry after a lost answer): it is delivered.
XAPI_OK = frozenset({200, 204, 409})


def send_statement(settings: Settings, statement: dict) -> Answer:
    url = settings.xapi_endpoint.rstrip("/") + "/statements"
    return _post("PUT", url, settings, ok_codes=XAPI_OK, params={"statementId": statement["id"]},
                 json=statement, auth=(settings.xapi_username, settings.xapi_password.get_secret_value()),
                 headers={"X-Experience-API-Version": "1.0.3", "User-Agent": USER_AGENT})
