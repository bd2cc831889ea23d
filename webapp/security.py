"""Passwords, sign-in sessions, CSRF protection and role checks."""
from __future__ import annotations

from functools import wraps

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import abort
from flask_login import LoginManager, current_user, login_required
from flask_wtf.csrf import CSRFProtect

from .models import Role, User

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to see that page."
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"
csrf = CSRFProtect()
_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters


def init_app(app) -> None:
    login_manager.init_app(app)
    csrf.init_app(app)


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    from .web import db

    if not user_id.isdigit():
        return None
    user = db().get(User, int(user_id))
    return user if user is not None and user.is_active else None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(user: User | None, password: str) -> bool:
    """True if the password matches; compares against a dummy hash when there is no user, so timing tells nothing."""
    try:
        return _hasher.verify(user.password_hash if user else _DUMMY_HASH, password) and user is not None
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
