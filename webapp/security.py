"""Passwords, sign-in sessions, CSRF protection and role checks."""
from __future__ import annotations

from functools import wraps

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import abort, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user, login_required
from flask_wtf.csrf import CSRFProtect

from .models import Role, User

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to see that page."
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"
csrf = CSRFProtect()
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
    # Sign-in attempts are counted in Redis when there is one, so every web process shares the count.
    app.config.setdefault("RATELIMIT_STORAGE_URI", settings.redis_url or "memory://")
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    limiter.init_app(app)
    app.after_request(_security_headers)


def _security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def sign_in_throttle_key() -> str:
    """Failed sign-ins are counted per address and per account, so guessing one password is slow."""
    email = (request.form.get("email") or "").strip().lower()
    return f"{get_remote_address()}|{email}"


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    from .web import db

    if not user_id.isdigit():
        return None
    from .auth.sessions import still_valid

    user = db().get(User, int(user_id))
    return user if user is not None and user.is_active and still_valid(user) else None


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
