"""Claiming an award as an Open Badges 3.0 credential, revoking it, and checking one as a verifier would.

The credential is built, signed and stored once, at the claim; what was issued is kept as issued, so its
download is byte-for-byte what its owner got. Its revocation lives outside it, in the status list.
"""
from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from ..models import Badge, BadgeAward, BadgeCredential, BadgeRule, Challenge, Enrolment, User, utcnow
from . import issuer
from .contexts import CREDENTIALS_V2, OPEN_BADGES_V3
from .proofs import ProofInvalid, add_proof, check_proof
from .status import status_entry


@dataclass(frozen=True)
class Issuer:
    """Who issues, and where: the deployment's public address and the organisation's name and contact."""

    base_url: str
    name: str
    email: str | None = None


class ClaimRefused(PermissionError):
    """This person may not claim this award (not theirs, or not an award at all)."""


class NotRevocable(ValueError):
    """The revocation is refused; the message says why."""


def recipient_hash(email: str, salt: str) -> str:
    """The Open Badges salted hash of an email address: "sha256$" + hex(sha256(email + salt))."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()


RULE_TEXT = {
    BadgeRule.MISSIONS_COMPLETED: "Complete {threshold} {kind}mission(s)",
    BadgeRule.STREAK_DAYS: "Keep a streak of {threshold} day(s) of missions",
    BadgeRule.POINTS_REACHED: "Earn {threshold} points",
    BadgeRule.REFLECTIONS_WRITTEN: "Write {threshold} reflection(s)",
    BadgeRule.KUDOS_GIVEN: "Give {threshold} kudos to teammates",
    BadgeRule.KUDOS_RECEIVED: "Receive {threshold} kudos from teammates",
    BadgeRule.TEAM_ALL_COMPLETED_KIND: "Be part of a team where every member completed a {kind}mission",
    BadgeRule.TEAM_POINTS_REACHED: "Be part of a team that earned {threshold} points",
}


def criteria_narrative(badge: Badge, challenge: Challenge) -> str:
    """What earning the badge took, in words, from its declarative rule."""
    kind = badge.params.get("kind")
    text = RULE_TEXT[badge.rule].format(threshold=badge.params.get("threshold", 1),
                                        kind=f"{kind} " if kind else "")
    return f"{text} in the learning challenge \"{challenge.title}\"."


def achievement(badge: Badge, challenge: Challenge, who: Issuer) -> dict:
    narrative = criteria_narrative(badge, challenge)
    return {"id": f"{who.base_url}/credentials/achievements/{badge.id}", "type": ["Achievement"],
            "name": badge.name, "description": badge.description or narrative, "criteria": {"narrative": narrative},
            "image": {"id": f"{who.base_url}/credentials/achievements/{badge.id}.svg", "type": "Image"}}


def issuer_profile(who: Issuer) -> dict:
    profile = {"id": issuer.issuer_did(who.base_url), "type": ["Profile"], "name": who.name, "url": who.base_url}
    if who.email:
        profile["email"] = who.email
    return profile


def build_credential(credential: BadgeCredential, badge: Badge, challenge: Challenge, user: User, award: BadgeAward,
                     who: Issuer) -> dict:
    """The unsigned OpenBadgeCredential of a claim."""
    issued = credential.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    subject = {"type": ["AchievementSubject"],
               "identifier": [{"type": "IdentityObject", "identityHash": recipient_hash(user.email, credential.salt),
                               "identityType": "emailAddress", "hashed": True, "salt": credential.salt}],
               "achievement": achievement(badge, challenge, who)}
    return {"@context": [CREDENTIALS_V2, OPEN_BADGES_V3],
            "id": f"{who.base_url}/credentials/{credential.public_id}",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": issuer_profile(who), "validFrom": issued, "name": badge.name,
            "awardedDate": award.awarded_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "credentialSubject": subject,
            "credentialStatus": status_entry(who.base_url, credential.id)}


def claimable_award(session: Session, user: User, award_id: int) -> tuple[BadgeAward, Badge, Challenge]:
    """The award if it is the user's own, or their team's in a challenge they played with that team.

    Raises ClaimRefused."""
    award = session.get(BadgeAward, award_id)
    if award is None:
        raise ClaimRefused("no such award")
    if award.user_id != user.id:
        played_with_team = award.team_id is not None and session.exec(select(Enrolment.id).where(
            Enrolment.challenge_id == award.challenge_id, Enrolment.user_id == user.id,
            Enrolment.team_id == award.team_id)).first()
        if not played_with_team:
            raise ClaimRefused("not your award")
    return award, session.get(Badge, award.badge_id), session.get(Challenge, award.challenge_id)


def credential_for(session: Session, user: User, award_id: int) -> BadgeCredential | None:
    return session.exec(select(BadgeCredential).where(
        BadgeCredential.award_id == award_id, BadgeCredential.user_id == user.id)).first()


def claim_badge(session: Session, user: User, award_id: int, who: Issuer, secret_key: str) -> BadgeCredential:
    """Issue the signed credential of the user's award, once: a second claim returns the first credential.

    Raises ClaimRefused, issuer.KeyUnavailable."""
    award, badge, challenge = claimable_award(session, user, award_id)
    existing = credential_for(session, user, award_id)
    if existing is not None:
        return existing
    key, private_key = issuer.signing_key(session, secret_key)
    credential = BadgeCredential(public_id=str(uuid.uuid4()), award_id=award.id, user_id=user.id, badge_id=badge.id,
                                 salt=secrets.token_hex(16), key_id=key.key_id, issued_at=utcnow().replace(microsecond=0))
    try:
        with session.begin_nested():
            session.add(credential)
            session.flush()  # the row id is the credential's place in the status list
            unsigned = build_credential(credential, badge, challenge, user, award, who)
            credential.document = add_proof(unsigned, private_key, issuer.verification_method_id(who.base_url, key),
                                            unsigned["validFrom"])
    except IntegrityError:  # a concurrent claim of the same award won: theirs is the credential
        return credential_for(session, user, award_id)
    return credential


def revoke_credential(session: Session, credential: BadgeCredential, admin: User, reason: str) -> None:
    """Mark the credential revoked; the verification page and the status list say so from now on.

    Raises NotRevocable."""
    reason = (reason or "").strip()
    if not reason:
        raise NotRevocable("Say why the credential is revoked: its holder and verifiers see the reason.")
    if len(reason) > 500:
        raise NotRevocable("Keep the reason under 500 characters.")
    if credential.revoked_at is not None:
        raise NotRevocable("This credential is already revoked.")
    credential.revoked_at = utcnow()
    credential.revocation_reason = reason
    credential.revoked_by_id = admin.id


@dataclass(frozen=True)
class Verification:
    """What a verifier concludes about a stored credential."""

    signature_valid: bool
    revoked: bool
    problem: str = ""

    @property
    def valid(self) -> bool:
        return self.signature_valid and not self.revoked


def verify(session: Session, credential: BadgeCredential, base_url: str) -> Verification:
    """Check the stored credential's proof against the keys the DID document lists now, and its status."""
    try:
        check_proof(credential.document, issuer.public_keys(session, base_url))
    except ProofInvalid as error:
        return Verification(False, credential.revoked_at is not None, str(error))
    return Verification(True, credential.revoked_at is not None)
