"""Accounts: create users, find them by email, check credentials. No request needed."""
from __future__ import annotations

import unicodedata

from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, select

from ..models import Role, User
from ..security import hash_password, verify_password
from ..text import clean_name
from .passwords import WeakPassword, check_password


# Invited accounts have no password until the person chooses one: no hash matches this, and no work is done.
UNUSABLE_PASSWORD = "!invited"


class AccountError(ValueError):
    """The account cannot be created as asked; the message says why, `field` which input is at fault."""

    def __init__(self, message: str, field: str = "email"):
        super().__init__(message)
        self.field = field


# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@")


def normalise_email(email: str) -> str:
    """The form an address is stored and looked up in: compatibility-normalised (a full-width "Ａ" is "a"),
    without invisible characters, in lower case, so no two stored addresses differ only in ways a reader
    cannot see."""
    folded = unicodedata.normalize("NFKC", email)
    return "".join(ch for ch in folded if unicodedata.category(ch) not in ("Cf", "Cc")).strip().lower()


def checked_email(email: str) -> str:
    """`email` normalised, when it is an address Learnloop can store. Raises AccountError saying why not."""
    address = normalise_email(email)
    if address.startswith(FORMULA_STARTS):
        raise AccountError(f"{address} is not an email address Learnloop accepts: it starts with "
                           f"{address[0]!r}, which spreadsheets run as a formula.")
    if not address.isascii():
        raise AccountError(f"{address} is not an email address Learnloop accepts: use its plain-letter (ASCII) "
                           "form, so that no two addresses can look alike.")
    try:
        result = validate_email(address, check_deliverability=False, allow_smtputf8=False, allow_quoted_local=False,
                                allow_domain_literal=False, allow_display_name=False)
    except EmailNotValidError as error:
        raise AccountError(f"{address} is not an email address: {error}") from None
    return (result.ascii_email or result.normalized).lower()  # an IDN domain stays in its visible xn-- form


def find_user(session: Session, email: str) -> User | None:
    if "\x00" in email:  # no stored address has one, and PostgreSQL refuses it in a query
        return None
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, or None (same answer for unknown email and wrong password)."""
    user = find_user(session, email)
    if not verify_password(user, password) or not user.is_active:
        return None
    return user


def may_use_password(settings, user: User) -> bool:
    """Passwords work unless switched off (single sign-on only); then only for the break-glass admin,
    so the organisation can still get in when its identity provider is down."""
    if settings.password_sign_in:
        return True
    return (settings.break_glass_admin_email is not None and user.email == settings.break_glass_admin_email
            and user.role is Role.ADMIN)


def create_user(
    session: Session, email: str, password: str | None, display_name: str, role: Role = Role.EMPLOYEE,
    timezone: str = "UTC",
) -> User:
    """Add a user to the session (the caller commits). Raises AccountError on a bad or taken email or a weak
    password (see webapp.auth.passwords).

    `password` None: an invited account that cannot sign in until the person chooses a password."""
    email = checked_email(email)
    if password is not None:
        try:
            check_password(password, email)
        except WeakPassword as error:
            raise AccountError(str(error), field="password") from None
    if find_user(session, email) is not None:
        raise AccountError(f"A user with the email {email} already exists.")
    user = User(email=email, password_hash=UNUSABLE_PASSWORD if password is None else hash_password(password),
                display_name=clean_name(display_name) or email,
                role=Role(role), timezone=timezone)
    session.add(user)
    return user
