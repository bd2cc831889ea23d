"""Webhook signatures: HMAC-SHA256 over "timestamp.body", sent with the timestamp so a receiver can refuse replays."""
from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "Learnloop-Signature"
TIMESTAMP_HEADER = "Learnloop-Timestamp"
ID_HEADER = "Learnloop-Delivery"
EVENT_HEADER = "Learnloop-Event"
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The header value: "v1=" and the hex HMAC-SHA256 of `timestamp.body` keyed with the endpoint's secret."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def verify(secret: str, timestamp: str, body: bytes, header: str, now: int, tolerance: int = 300) -> bool:
    """What a receiver does (the README shows the same few lines): recompute, compare in constant time, and
    refuse a timestamp older or newer than `tolerance` seconds."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, int(timestamp), body), header)
