"""Who is calling the API: the bearer token of each request, its user and its scope, checked before any view.

No cookie ever authenticates an API request (a sign-in cookie is ignored here), so cross-site forgery has
nothing to borrow: the API needs no CSRF token, and a request without a bearer token is refused with 401.
"""
from __future__ import annotations

import hashlib
from functools import wraps

from flask import abort, current_app, g, request

from ..models import ApiToken, Role, TokenScope, User
from ..web import db
from .problems import problem
from .tokens import includes, live_token, note_use


def bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def rate_limit_key() -> str:
    """Each token has its own allowance; requests without one share their address's."""
    secret = bearer_secret()
    if secret is None:
        return "api-anonymous:" + (request.remote_addr or "")
    return "api-token:" + hashlib.sha256(secret.encode()).hexdigest()[:32]


def authenticate():
    """Before every API view: find the live token or answer 401 (a problem)."""
    secret = bearer_secret()
    if secret is None:
        return problem(401, "Send a personal access token: Authorization: Bearer llp_...")
    found = live_token(db(), secret)
    if found is None:
        return problem(401, "This token is not valid: unknown, revoked or expired.")
    token, user = found
    note_use(current_app.config["LEARNLOOP"].database_url, token)
    g.api_token, g.api_user = token, user
    return None


def api_user() -> User:
    return g.api_user


def api_token() -> ApiToken:
    return g.api_token


def requires(scope: TokenScope, role: Role | None = None):
    """The view needs a token of at least `scope` (and, with `role`, a user of that role; admins pass)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not includes(api_token().scope, scope):
                abort(problem(403, f"This token's scope is {api_token().scope.value}; this needs {scope.value}."))
            if role is not None and api_user().role not in (role, Role.ADMIN):
                abort(problem(403, "Your role does not allow this."))
            return view(*args, **kwargs)

        return wrapped

    return decorator
