"""Passwords, sign-in sessions, CSRF protection and role checks."""
from __future__ import annotations

from functools import wraps

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import abort, flash, g, redirect, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user, login_required, login_url
from flask_wtf.csrf import CSRFProtect

from .models import Role, User

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to see that page."
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"
csrf = CSRFProtect()
# Limits on the emailed-link routes (invitations, password reset); sign-in has its own throttle (auth.throttle).
limiter = Limiter(key_func=get_remote_address, headers_enabled=True)

# No inline script or style anywhere: htmx, Chart.js and our own code are files served by the app.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters


def init_app(app) -> None:
    settings = app.config["LEARNLOOP"]
    login_manager.init_app(app)
    csrf.init_app(app)
    from .auth.throttle import SignInThrottle

    # Sign-in attempts are counted in Redis when there is one, so every web process shares the count.
    app.extensions["sign_in_throttle"] = SignInThrottle(settings.redis_url)
    app.config.setdefault("RATELIMIT_STORAGE_URI", settings.redis_url or "memory://")
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    limiter.init_app(app)
    app.after_request(_security_headers)


def _security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint == "auth.login" or (request.endpoint != "static" and current_user.is_authenticated):
        # What a signed-in person sees (pages, fragments, exports) is theirs, and the sign-in page carries a
        # CSRF token: no browser history, disk cache or proxy may keep a copy.
        response.headers["Cache-Control"] = "no-store"
    return response


@login_manager.unauthorized_handler
def _sign_in_first():
    """Off to the sign-in page, coming back here after; an htmx request (a session that ended while a form
    was open) gets a message beside the form instead, so the form and its text stay."""
    from .errors import error_response
    from .web import is_htmx

    if is_htmx():
        return error_response(401)
    flash(login_manager.login_message, login_manager.login_message_category)
    return redirect(login_url(login_manager.login_view, next_url=request.url))


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    """The signed-in user, read with their unread notification count in the same statement: the navigation
    shows the count on every page, and a query of its own would cost every page a round trip."""
    from .auth.sessions import is_current, parse_session_id
    from .notifications.queries import user_with_unread_count
    from .web import db

    parts = parse_session_id(session_id)
    if parts is None:
        return None
    user, unread = user_with_unread_count(db(), parts[0])
    if not is_current(user, parts[1]):
        return None
    g.unread_notifications = unread
    return user


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(user: User | None, password: str) -> bool:
    """True if the password matches; compares against a dummy hash when there is no user, so timing tells nothing."""
    # An invited account has no hash yet: it is checked against the dummy too, so it answers as slowly as any.
    usable = user is not None and user.password_hash.startswith("$argon2")
    try:
        return _hasher.verify(user.password_hash if usable else _DUMMY_HASH, password) and usable
    except (VerificationError, InvalidHashError):
        return False


_DUMMY_HASH = _hasher.hash("learnloop-no-such-user")


def role_required(*roles: Role):
    """Sign-in required, and the user's role must be one of `roles` (admins pass every check), else 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role != Role.ADMIN and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
