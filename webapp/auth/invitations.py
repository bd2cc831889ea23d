"""Invitations: an invited account, a signed single-use link by email valid 7 days, resend, revoke, accept.

No request needed: the admin pages and the CSV import job call these with the address links should use.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from ..problems import Invalid
from ..db import insert_rows
from ..mail import compose, queue_emails
from ..models import Invitation, Membership, Role, Team, User, utcnow
from . import links

VALID_FOR = timedelta(days=7)
PURPOSE = "invitation"


@dataclass(frozen=True)
class Sender:
    """What an invitation email needs to know about where it comes from."""

    base_url: str  # e.g. https://learnloop.example.com/ (the address the admin used, or PUBLIC_URL)
    secret: str
    inviter_name: str
    inviter_id: int | None = None


@dataclass(frozen=True)
class Invitee:
    email: str
    name: str
    team_name: str | None


@dataclass
class Draft:
    """An invitation composed before anything is written: its nonce and its email."""

    nonce: str
    email: dict


def invite_person(session: Session, sender: Sender, *, email: str, name: str, role: str, team: Team | None) -> User:
    """Create an invited account (no password yet) in `team` and queue its invitation. Raises Invalid."""
    from ..people.users import add_user  # imported here, like set_password below: the packages import each other

    user = add_user(session, email, name, role, None)
    if team is not None:
        session.add(Membership(user_id=user.id, team_id=team.id, is_lead=user.role is Role.LEAD))
    drafts = draft_invitations(sender, [Invitee(user.email, user.display_name, team.name if team else None)])
    store_invitations(session, sender, [user.id], drafts)
    return user


def draft_invitations(sender: Sender, invitees: list[Invitee]) -> list[Draft]:
    """Nonces and emails for these people; touches no database (an import does this outside its transaction)."""
    expires = (utcnow() + VALID_FOR).strftime("%d %B %Y, %H:%M UTC")
    drafts = []
    for invitee in invitees:
        nonce = links.new_nonce()
        drafts.append(Draft(nonce, compose("invitation", invitee.email, "You are invited to Learnloop",
                                           name=invitee.name, inviter=sender.inviter_name, team=invitee.team_name,
                                           link=_link(sender, nonce), expires=expires)))
    return drafts


def store_invitations(session: Session, sender: Sender, user_ids: list[int], drafts: list[Draft]) -> None:
    """Write the invitations of accounts just created, and queue their emails, in a few statements."""
    now = utcnow()
    insert_rows(session, Invitation, [
        dict(user_id=user_id, invited_by_id=sender.inviter_id, nonce=draft.nonce, sent_at=now,
             expires_at=now + VALID_FOR, created_at=now)
        for user_id, draft in zip(user_ids, drafts, strict=True)])
    queue_emails(session, [draft.email for draft in drafts])


def _link(sender: Sender, nonce: str) -> str:
    return sender.base_url.rstrip("/") + "/invitations/" + links.sign(sender.secret, PURPOSE, nonce)


def resend(session: Session, sender: Sender, invitation: Invitation) -> None:
    """A fresh link (the old one stops working) and a new email; reopens a revoked invitation."""
    if invitation.accepted_at is not None:
        raise Invalid.one("invitation", "This invitation was already accepted.")
    user = session.get(User, invitation.user_id)
    [draft] = draft_invitations(sender, [Invitee(user.email, user.display_name, _team_name(session, user))])
    now = utcnow()
    invitation.nonce = draft.nonce
    invitation.sent_at, invitation.expires_at, invitation.revoked_at = now, now + VALID_FOR, None
    user.is_active = True
    session.add_all([invitation, user])
    session.flush()
    queue_emails(session, [draft.email])


def revoke(session: Session, invitation: Invitation) -> None:
    """The link stops working and the account is deactivated (it never had a password)."""
    if invitation.accepted_at is not None:
        raise Invalid.one("invitation", "This invitation was already accepted; deactivate the account instead.")
    user = session.get(User, invitation.user_id)
    invitation.revoked_at = utcnow()
    user.is_active = False
    session.add_all([invitation, user])


def open_invitation(session: Session, secret: str, token: str) -> tuple[Invitation, User]:
    """The invitation a link names, if it can still be accepted. Raises links.LinkRefused saying why not."""
    nonce = links.read(secret, PURPOSE, token, int(VALID_FOR.total_seconds()))
    invitation = session.exec(select(Invitation).where(Invitation.nonce == nonce)).first()
    if invitation is None:
        raise links.LinkRefused("This invitation link was replaced by a newer one, or is not valid. "
                                "Use the latest email, or ask your admin to send it again.")
    if invitation.accepted_at is not None:
        raise links.LinkRefused("This invitation was already used. Sign in with your email and password.")
    if invitation.revoked_at is not None:
        raise links.LinkRefused("This invitation was withdrawn. Ask your admin if you think that is a mistake.")
    if invitation.expires_at <= utcnow():
        raise links.LinkRefused("This invitation has expired. Ask your admin to send it again.")
    return invitation, session.get(User, invitation.user_id)


def accept(session: Session, invitation: Invitation, user: User, password: str, confirmation: str) -> None:
    """Set the person's first password and use up the link. Raises Invalid (password rules) or LinkRefused."""
    from ..people.users import set_password

    if password != confirmation:
        raise Invalid.one("confirmation", "The two passwords differ.")
    set_password(session, user, password)
    # A conditional update, so two submissions of the same link accept once.
    used = session.exec(update(Invitation).where(Invitation.id == invitation.id, Invitation.nonce == invitation.nonce,
                                                 Invitation.accepted_at.is_(None))
                        .values(accepted_at=utcnow()))
    if used.rowcount != 1:
        raise links.LinkRefused("This invitation was already used. Sign in with your email and password.")


def pending_by_user(session: Session, user_ids: list[int]) -> dict[int, Invitation]:
    """Invitations not accepted yet of these users, by user id (for the people page)."""
    if not user_ids:
        return {}
    rows = session.exec(select(Invitation).where(Invitation.user_id.in_(user_ids), Invitation.accepted_at.is_(None)))
    return {invitation.user_id: invitation for invitation in rows}


def _team_name(session: Session, user: User) -> str | None:
    return session.exec(select(Team.name).join(Membership, Membership.team_id == Team.id)
                        .where(Membership.user_id == user.id).order_by(Membership.id)).first()
