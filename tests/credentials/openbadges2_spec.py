"""A check of Open Badges 2.0 hosted badges written from the 2.0 specification (IMS Global, 2018):
the required properties of Assertion, BadgeClass and Issuer Profile, their types, and hosted verification
(the assertion's id is the URL it was fetched from; its badge and issuer ids resolve the same way)."""
from __future__ import annotations

import hashlib
import re
from datetime import datetime

CONTEXT = "https://w3id.org/openbadges/v2"
HASHED_IDENTITY = re.compile(r"^(sha256|md5)\$[0-9a-f]+$")


class SpecViolation(AssertionError):
    pass


def _require(condition, message: str) -> None:
    if not condition:
        raise SpecViolation(message)


def _is_url(value) -> bool:
    return isinstance(value, str) and re.match(r"^https?://[^\s/]+", value) is not None


def _types(node) -> list[str]:
    value = node.get("type")
    return value if isinstance(value, list) else [value]


def _datetime(value) -> bool:
    try:
        datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return False
    return bool(re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", str(value)))


def check_issuer(issuer: dict, fetched_from: str) -> None:
    _require(issuer.get("@context") == CONTEXT, "Issuer: @context must be the 2.0 context")
    _require(set(_types(issuer)) & {"Issuer", "Profile"}, "Issuer: type must be Issuer or Profile")
    _require(issuer.get("id") == fetched_from, "Issuer: id must be the URL it is hosted at")
    _require(isinstance(issuer.get("name"), str) and issuer["name"], "Issuer: name is required")
    _require(_is_url(issuer.get("url")), "Issuer: url is required and must be a URL")
    _require(isinstance(issuer.get("email"), str) and "@" in issuer["email"], "Issuer: email is required")


def check_badge_class(badge: dict, fetched_from: str) -> None:
    _require(badge.get("@context") == CONTEXT, "BadgeClass: @context must be the 2.0 context")
    _require("BadgeClass" in _types(badge), "BadgeClass: type must be BadgeClass")
    _require(badge.get("id") == fetched_from, "BadgeClass: id must be the URL it is hosted at")
    for field in ("name", "description"):
        _require(isinstance(badge.get(field), str) and badge[field], f"BadgeClass: {field} is required")
    image = badge.get("image")
    _require(_is_url(image) or (isinstance(image, dict) and _is_url(image.get("id"))),
             "BadgeClass: image must be a URL or an Image")
    criteria = badge.get("criteria")
    _require(_is_url(criteria) or (isinstance(criteria, dict) and (criteria.get("narrative") or
                                                                   _is_url(criteria.get("id")))),
             "BadgeClass: criteria must be a URL or a Criteria with narrative or id")
    _require(_is_url(badge.get("issuer")), "BadgeClass: issuer must be the URL of the issuer's Profile")


def check_assertion(assertion: dict, fetched_from: str, recipient_email: str | None = None) -> None:
    _require(assertion.get("@context") == CONTEXT, "Assertion: @context must be the 2.0 context")
    _require("Assertion" in _types(assertion), "Assertion: type must be Assertion")
    _require(assertion.get("id") == fetched_from, "Assertion: a hosted assertion's id is its own URL")
    recipient = assertion.get("recipient")
    _require(isinstance(recipient, dict), "Assertion: recipient (IdentityObject) is required")
    _require(recipient.get("type") == "email", "Assertion: recipient type must be email here")
    _require(isinstance(recipient.get("hashed"), bool), "Assertion: recipient.hashed must be a boolean")
    if recipient["hashed"]:
        _require(HASHED_IDENTITY.match(str(recipient.get("identity", ""))),
                 "Assertion: a hashed identity is algorithm$hexdigest")
        if recipient_email is not None:
            algorithm, digest = recipient["identity"].split("$")
            expected = hashlib.new(algorithm, (recipient_email + recipient.get("salt", "")).encode()).hexdigest()
            _require(digest == expected, "Assertion: the identity hash does not match the recipient's email")
    _require(_is_url(assertion.get("badge")), "Assertion: badge must be the URL of its BadgeClass")
    verification = assertion.get("verification")
    _require(isinstance(verification, dict) and verification.get("type") in ("hosted", "HostedBadge"),
             "Assertion: verification must be hosted")
    _require(_datetime(assertion.get("issuedOn")), "Assertion: issuedOn must be an ISO 8601 date-time")
    _require(assertion.get("revoked") in (None, False), "Assertion: revoked")


def check_hosted_badge(fetch, assertion_url: str, recipient_email: str | None = None) -> None:
    """Fetch the assertion, its BadgeClass and its Issuer by their URLs (fetch: url -> (status, json)), check all,
    and that the issuer's url shares the assertion's origin (hosted verification's rule)."""
    status, assertion = fetch(assertion_url)
    _require(status == 200, f"Assertion answered {status}")
    check_assertion(assertion, assertion_url, recipient_email)
    status, badge = fetch(assertion["badge"])
    _require(status == 200, f"BadgeClass answered {status}")
    check_badge_class(badge, assertion["badge"])
    status, issuer = fetch(badge["issuer"])
    _require(status == 200, f"Issuer answered {status}")
    check_issuer(issuer, badge["issuer"])
    origin = re.match(r"^https?://[^/]+", assertion_url).group(0)
    _require(badge["issuer"].startswith(origin), "hosted: the issuer must be on the assertion's origin")
