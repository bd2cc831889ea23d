"""Open Badges 2.0 hosted verification: Assertion, BadgeClass and Issuer as JSON at stable URLs.

Many backpacks still import 2.0. A hosted assertion is verified by fetching it from its own URL, so the
URL is the proof; a revoked assertion answers 410 with `revoked: true`, as the 2.0 specification asks.
"""
from __future__ import annotations

from ..models import Badge, BadgeCredential, Challenge
from .issuing import Issuer, criteria_narrative, recipient_hash

CONTEXT = "https://w3id.org/openbadges/v2"


def issuer_url(who: Issuer) -> str:
    return f"{who.base_url}/ob2/issuer"


def badge_class_url(who: Issuer, badge_id: int) -> str:
    return f"{who.base_url}/ob2/badges/{badge_id}"


def assertion_url(who: Issuer, public_id: str) -> str:
    return f"{who.base_url}/ob2/assertions/{public_id}"


def issuer_profile(who: Issuer) -> dict:
    profile = {"@context": CONTEXT, "type": "Issuer", "id": issuer_url(who), "name": who.name, "url": who.base_url}
    if who.email:
        profile["email"] = who.email
    return profile


def badge_class(badge: Badge, challenge: Challenge, who: Issuer) -> dict:
    narrative = criteria_narrative(badge, challenge)
    return {"@context": CONTEXT, "type": "BadgeClass", "id": badge_class_url(who, badge.id), "name": badge.name,
            "description": badge.description or narrative,
            "image": f"{who.base_url}/credentials/achievements/{badge.id}.svg",
            "criteria": {"id": f"{who.base_url}/credentials/achievements/{badge.id}", "narrative": narrative},
            "issuer": issuer_url(who)}


def assertion(credential: BadgeCredential, email: str, who: Issuer) -> dict:
    """The hosted assertion of a claimed badge (the same salt as its 3.0 credential)."""
    url = assertion_url(who, credential.public_id)
    if credential.revoked_at is not None:
        return {"@context": CONTEXT, "type": "Assertion", "id": url, "revoked": True,
                "revocationReason": credential.revocation_reason}
    return {"@context": CONTEXT, "type": "Assertion", "id": url,
            "recipient": {"type": "email", "hashed": True, "salt": credential.salt,
                          "identity": recipient_hash(email, credential.salt)},
            "badge": badge_class_url(who, credential.badge_id), "verification": {"type": "HostedBadge"},
            "issuedOn": credential.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ"), "image": f"{url}.svg"}
