"""Who a single sign-on is: find the account by (issuer, subject), link or create it, refuse with a reason.

No request needed: the callback hands over the provider's verified claims and the settings.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from ..auth.accounts import find_user, normalise_email
from ..models import Role, User, UserIdentity, utcnow
from .group_mappings import apply_group_mappings

log = logging.getLogger(__name__)

# Not an Argon2 hash, so no password ever matches it: the account signs in through its provider only.
NO_PASSWORD = "!single-sign-on"


class SignInRefused(Exception):
    """The provider vouched for this person but Learnloop will not sign them in; the message says why."""


@dataclass(frozen=True)
class ProviderIdentity:
    """What the provider said about the person, from the verified ID token (and user info)."""

    issuer: str
    subject: str
    email: str | None = None
    email_verified: bool = False
    name: str | None = None
    groups: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def from_claims(cls, claims: dict, groups_claim: str = "groups") -> ProviderIdentity:
        groups = claims.get(groups_claim) or ()
        if isinstance(groups, str):
            groups = (groups,)
        elif not isinstance(groups, (list, tuple)):
            groups = ()  # a provider sending something else gets no group mapping rather than an error
        return cls(issuer=str(claims["iss"]), subject=str(claims["sub"]),
                   email=normalise_email(claims["email"]) if claims.get("email") else None,
                   # Some providers send the JSON string "true" instead of the boolean.
                   email_verified=claims.get("email_verified") in (True, "true"),
                   name=(claims.get("name") or "").strip() or None,
                   groups=tuple(str(group) for group in groups if isinstance(group, (str, int))))


def sign_in_with_identity(session: Session, identity: ProviderIdentity,
                          allowed_domains: tuple[str, ...] = ()) -> User:
    """The account this provider identity signs in to, its teams and roles brought in line with its groups.

    The caller commits. Raises SignInRefused when the account is deactivated, when the first sign-in
    has no email, comes from a domain not allowed to get an account, or names the email of an existing
    account without the provider vouching for that address.
    """
    user = _linked_account(session, identity)
    if user is None:
        user = _first_sign_in(session, identity, allowed_domains)
    if not user.is_active:
        raise SignInRefused("This account is deactivated. Ask an admin if you think this is a mistake.")
    apply_group_mappings(session, user, identity.groups)
    return user


def _linked_account(session: Session, identity: ProviderIdentity) -> User | None:
    link = session.exec(select(UserIdentity).where(UserIdentity.issuer == identity.issuer,
                                                   UserIdentity.subject == identity.subject)).first()
    if link is None:
        return None
    link.last_sign_in_at = utcnow()
    link.email = identity.email
    session.add(link)
    return session.get(User, link.user_id)


def _first_sign_in(session: Session, identity: ProviderIdentity, allowed_domains: tuple[str, ...]) -> User:
    if not identity.email:
        raise SignInRefused("Your identity provider did not share an email address, so no account can be made. "
                            "Ask your administrator to release the email claim to Learnloop.")
    user = find_user(session, identity.email)
    if user is not None:
        # An address alone proves nothing (a provider may let anyone type one in): link an existing
        # account only when the provider says it verified the address, and only once per provider.
        already = session.exec(select(UserIdentity.id).where(UserIdentity.user_id == user.id,
                                                             UserIdentity.issuer == identity.issuer)).first()
        if not identity.email_verified or already is not None:
            raise SignInRefused(f"An account for {identity.email} already exists and cannot be linked to this "
                                "sign-in. Ask an admin.")
        log.info("single sign-on linked %s (subject %s) to account %s", identity.issuer, identity.subject, user.id)
    else:
        domain = identity.email.rsplit("@", 1)[-1]
        if allowed_domains and domain not in allowed_domains:
            raise SignInRefused(f"Accounts for {domain} addresses are not created automatically. Ask an admin "
                                "to invite you.")
        user = User(email=identity.email, display_name=(identity.name or identity.email)[:120],
                    password_hash=NO_PASSWORD, role=Role.EMPLOYEE)
        session.add(user)
        log.info("single sign-on created account %s for %s", identity.email, identity.issuer)
    try:
        with session.begin_nested():
            session.add(user)
            session.flush()
            session.add(UserIdentity(user_id=user.id, issuer=identity.issuer, subject=identity.subject,
                                     email=identity.email))
            session.flush()
    except IntegrityError:
        # The same person's other tab won the race: use the account it made.
        user = _linked_account(session, identity)
        if user is None:
            raise
    return user
