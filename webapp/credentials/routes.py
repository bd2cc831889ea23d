"""Badge credential pages: claim, the public verification page, downloads, revocation, the issuer's DID
document and status list, and the Open Badges 2.0 hosted JSON."""
from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_login import current_user, login_required
from sqlmodel import col, select

from ..models import Badge, BadgeCredential, Challenge, Role, User
from ..security import role_required
from ..web import db, reads_only, render, see_other
from . import images, issuer, openbadges2
from .issuing import (ClaimRefused, Issuer, NotRevocable, claim_badge, claimable_award, credential_for,
                      revoke_credential, verify)
from .proofs import add_proof
from .sharing import linkedin_url
from .status import status_list_credential

bp = Blueprint("credentials", __name__)
JSON_LD = "application/ld+json"


def current_issuer() -> Issuer:
    """The issuer as configured; without PUBLIC_URL, the address this request came to."""
    settings = current_app.config["LEARNLOOP"]
    return Issuer(base_url=settings.public_url or request.host_url.rstrip("/"), name=settings.badge_issuer_name,
                  email=settings.badge_issuer_email)


def _json(document: dict, status: int = 200, mimetype: str = "application/json", download: str | None = None):
    response = current_app.response_class(json.dumps(document, indent=2, ensure_ascii=False) + "\n", status=status,
                                          mimetype=mimetype)
    response.headers["Access-Control-Allow-Origin"] = "*"  # verifiers and backpacks fetch these from anywhere
    if download:
        response.headers["Content-Disposition"] = f'attachment; filename="{download}"'
    return response


def _svg(text: str, download: str | None = None):
    response = current_app.response_class(text, mimetype="image/svg+xml")
    response.headers["Access-Control-Allow-Origin"] = "*"
    if download:
        response.headers["Content-Disposition"] = f'attachment; filename="{download}"'
    return response


def _credential_or_404(public_id: str) -> BadgeCredential:
    credential = db().exec(select(BadgeCredential).where(BadgeCredential.public_id == public_id)).first()
    if credential is None:
        abort(404)
    return credential


def _issued_badge_or_404(badge_id: int) -> Badge:
    """A badge is public once a credential names it; others stay private to the product."""
    issued = db().exec(select(BadgeCredential.id).where(BadgeCredential.badge_id == badge_id).limit(1)).first()
    badge = db().get(Badge, badge_id)
    if badge is None or issued is None:
        abort(404)
    return badge


# The issuer -------------------------------------------------------------------------------------------------

@bp.get("/.well-known/did.json")
@reads_only
def did_document():
    """The issuer's DID document (did:web): every key not retired, as Multikey, under assertionMethod."""
    return _json(issuer.did_document(db(), current_issuer().base_url), mimetype="application/json")


@bp.get("/credentials/status/<int:list_number>")
def status_list(list_number: int):
    """The signed revocation list: bit n set means the credential at index n is revoked."""
    session, who = db(), current_issuer()
    try:
        key, private_key = issuer.signing_key(session, current_app.config["SECRET_KEY"])
    except issuer.KeyUnavailable:
        current_app.logger.error("badge signing key cannot be decrypted: rotate it")
        abort(503)
    unsigned = status_list_credential(session, who.base_url, issuer.issuer_did(who.base_url), list_number)
    signed = add_proof(unsigned, private_key, issuer.verification_method_id(who.base_url, key), unsigned["validFrom"])
    session.commit()  # the first key, if this request made it
    response = _json(signed, mimetype=JSON_LD)
    response.headers["Cache-Control"] = "no-cache"
    return response


# Claiming ---------------------------------------------------------------------------------------------------

@bp.get("/credentials/awards/<int:award_id>")
@login_required
@reads_only
def claim_page(award_id: int):
    """What claiming an award gives, with the button; a claimed award goes to its credential."""
    try:
        award, badge, challenge = claimable_award(db(), current_user, award_id)
    except ClaimRefused:
        abort(404)
    existing = credential_for(db(), current_user, award_id)
    if existing is not None:
        return see_other(url_for("credentials.credential", public_id=existing.public_id))
    return render("credentials/claim.html", award=award, badge=badge, challenge=challenge)


@bp.post("/credentials/awards/<int:award_id>/claim")
@login_required
def claim(award_id: int):
    """Issue the signed credential of my award (a second claim shows the first)."""
    session = db()
    try:
        credential = claim_badge(session, current_user, award_id, current_issuer(), current_app.config["SECRET_KEY"])
    except ClaimRefused:
        abort(404)
    except issuer.KeyUnavailable:
        current_app.logger.error("badge signing key cannot be decrypted: rotate it")
        abort(503)
    session.commit()
    flash("Your badge is now a credential you can download and share.", "success")
    return see_other(url_for("credentials.credential", public_id=credential.public_id))


# The public side of a credential -----------------------------------------------------------------------------

@bp.get("/credentials/<public_id>")
@reads_only
def credential(public_id: str):
    """The verification page: valid or revoked, who issued it, for what; the owner's downloads and sharing."""
    session, who = db(), current_issuer()
    found = _credential_or_404(public_id)
    badge = session.get(Badge, found.badge_id)
    is_owner = current_user.is_authenticated and current_user.id == found.user_id
    is_admin = current_user.is_authenticated and current_user.role == Role.ADMIN
    page_url = url_for("credentials.credential", public_id=public_id, _external=False)
    return render("credentials/credential.html", credential=found, document=found.document, badge=badge,
                  verification=verify(session, found, who.base_url), is_owner=is_owner, is_admin=is_admin,
                  linkedin=linkedin_url(found, badge.name, who.name, who.base_url + page_url) if is_owner else None,
                  holder=session.get(User, found.user_id) if (is_owner or is_admin) else None)


@bp.get("/credentials/<public_id>.json")
@reads_only
def credential_json(public_id: str):
    """The credential exactly as issued (Open Badges 3.0, JSON-LD with its proof)."""
    found = _credential_or_404(public_id)
    return _json(found.document, mimetype=JSON_LD, download=f"badge-{public_id}.json")


@bp.get("/credentials/<public_id>.svg")
@reads_only
def credential_svg(public_id: str):
    """The badge image with the credential baked in."""
    found = _credential_or_404(public_id)
    badge = db().get(Badge, found.badge_id)
    return _svg(images.baked_credential_svg(badge.name, badge.id, found.document), download=f"badge-{public_id}.svg")


@bp.post("/credentials/<public_id>/revoke")
@role_required(Role.ADMIN)
def revoke(public_id: str):
    """Revoke a credential, with the reason its holder and verifiers will read."""
    session = db()
    found = _credential_or_404(public_id)
    try:
        revoke_credential(session, found, current_user, request.form.get("reason", ""))
    except NotRevocable as error:
        badge = session.get(Badge, found.badge_id)
        return render("credentials/credential.html", status=422, credential=found, document=found.document,
                      badge=badge, verification=verify(session, found, current_issuer().base_url), is_owner=False,
                      is_admin=True, linkedin=None, holder=session.get(User, found.user_id), revoke_error=str(error),
                      reason=request.form.get("reason", ""))
    session.commit()
    flash("The credential is revoked.", "success")
    return see_other(url_for("credentials.credential", public_id=public_id))


@bp.get("/credentials")
@role_required(Role.ADMIN)
@reads_only
def issued():
    """Every credential issued, newest first, for admins to find one to revoke."""
    rows = db().exec(select(BadgeCredential, Badge, User).join(Badge, Badge.id == BadgeCredential.badge_id)
                     .join(User, User.id == BadgeCredential.user_id)
                     .order_by(col(BadgeCredential.id).desc()).limit(500)).all()
    return render("credentials/issued.html", rows=rows)


@bp.get("/credentials/achievements/<int:badge_id>")
@reads_only
def achievement(badge_id: int):
    """The achievement a credential names: what earning the badge took."""
    badge = _issued_badge_or_404(badge_id)
    challenge = db().get(Challenge, badge.challenge_id)
    return render("credentials/achievement.html", badge=badge,
                  document=openbadges2.badge_class(badge, challenge, current_issuer()))


@bp.get("/credentials/achievements/<int:badge_id>.svg")
@reads_only
def achievement_svg(badge_id: int):
    badge = _issued_badge_or_404(badge_id)
    return _svg(images.badge_svg(badge.name, badge.id))


# Open Badges 2.0 hosted --------------------------------------------------------------------------------------

@bp.get("/ob2/issuer")
@reads_only
def ob2_issuer():
    return _json(openbadges2.issuer_profile(current_issuer()))


@bp.get("/ob2/badges/<int:badge_id>")
@reads_only
def ob2_badge(badge_id: int):
    badge = _issued_badge_or_404(badge_id)
    return _json(openbadges2.badge_class(badge, db().get(Challenge, badge.challenge_id), current_issuer()))


@bp.get("/ob2/assertions/<public_id>")
@reads_only
def ob2_assertion(public_id: str):
    """The hosted assertion; 410 Gone with `revoked: true` once revoked."""
    found = _credential_or_404(public_id)
    email = db().get(User, found.user_id).email
    return _json(openbadges2.assertion(found, email, current_issuer()),
                 status=410 if found.revoked_at is not None else 200)


@bp.get("/ob2/assertions/<public_id>.svg")
@reads_only
def ob2_assertion_svg(public_id: str):
    """The badge image baked with the assertion's URL (for 2.0 backpacks)."""
    found = _credential_or_404(public_id)
    badge = db().get(Badge, found.badge_id)
    return _svg(images.baked_assertion_svg(badge.name, badge.id, openbadges2.assertion_url(current_issuer(), public_id)),
                download=f"badge-{public_id}-ob2.svg")
