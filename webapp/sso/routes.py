"""Single sign-on: send the person to their identity provider, and sign them in when it sends them back."""
from __future__ import annotations

import logging

from authlib.common.errors import AuthlibBaseError
from flask import Blueprint, abort, current_app, flash, request, session, url_for
from flask_login import login_user
from joserfc.errors import JoseError
from requests import RequestException

from ..auth.routes import safe_next
from ..errors import error_response
from ..main.welcome import greeting_on_sign_in
from ..web import db, see_other
from .client import provider, sso_enabled
from .identities import ProviderIdentity, SignInRefused, sign_in_with_identity

log = logging.getLogger(__name__)
bp = Blueprint("sso", __name__)

_NEXT = "sso_next"
UNREACHABLE = ("Your organisation's sign-in service cannot be reached right now. Please try again in a moment, "
               "or ask an admin.")


@bp.before_request
def _only_when_configured():
    if not sso_enabled():
        abort(404)


@bp.get("/login/sso")
def start():
    """Go to the identity provider's sign-in page."""
    session[_NEXT] = safe_next(request.args.get("next"))
    settings = current_app.config["LEARNLOOP"]
    try:
        return provider().authorize_redirect(settings.oidc_redirect_uri or url_for("sso.callback", _external=True))
    except RequestException:
        log.warning("identity provider discovery failed", exc_info=True)
        return error_response(503, UNREACHABLE)


@bp.get("/login/sso/callback")
def callback():
    """The provider sends the person back here with a code: check it and sign them in."""
    settings = current_app.config["LEARNLOOP"]
    client = provider()
    try:
        token = client.authorize_access_token()
        claims = dict(token.get("userinfo") or {})
        if not claims:
            return _refused("The identity provider did not send an ID token.")
        if claims.get("iss") != settings.oidc_issuer:
            return _refused("The sign-in came from another issuer than the one configured.")
        if settings.oidc_groups_claim not in claims:
            # Some providers put groups only in the user info answer; the subject must be the same person.
            info = client.userinfo(token=token)
            if info.get("sub") == claims["sub"] and settings.oidc_groups_claim in info:
                claims[settings.oidc_groups_claim] = info[settings.oidc_groups_claim]
    except RequestException:
        log.warning("identity provider unreachable during sign-in", exc_info=True)
        return error_response(503, UNREACHABLE)
    except (AuthlibBaseError, JoseError) as error:
        # A replayed or forged callback (unknown state, used code, bad signature or nonce) lands here.
        log.warning("single sign-on callback refused: %s", error)
        if getattr(error, "error", None) == "access_denied":
            return _refused("Sign-in was cancelled at your organisation's sign-in page.")
        return _refused()
    identity = ProviderIdentity.from_claims(claims, settings.oidc_groups_claim)
    database = db()
    try:
        user = sign_in_with_identity(database, identity, settings.allowed_email_domains)
    except SignInRefused as refusal:
        database.rollback()
        return error_response(403, str(refusal))
    greeting = greeting_on_sign_in(database, user)  # a first visit through SSO is greeted as one, too
    database.commit()
    login_user(user)
    flash(greeting, "success")
    return see_other(session.pop(_NEXT, None) or url_for("main.dashboard"))


def _refused(message: str | None = None):
    return error_response(400, message or "This sign-in could not be checked: it was already used, has expired, "
                                          "or did not start here. Start again from the sign-in page.")
