"""Users as admins manage them: list and search, create, change role, deactivate."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from ..auth.accounts import AccountError, create_user
from ..auth.sessions import revoke_sessions
from ..models import Invitation, Role, User
from ..problems import Invalid, Problem

PAGE_SIZE = 50


@dataclass
class UserPage:
    users: list[User]
    total: int
    page: int
    pages: int
    query: str
    invited_only: bool = False


def list_users(session: Session, query: str = "", page: int = 1, invited_only: bool = False) -> UserPage:
    """A page of users by name, filtered by `query` on name or email, or to those who have not accepted
    their invitation yet."""
    condition = True
    query = query.strip()
    if invited_only:
        condition = col(User.id).in_(select(Invitation.user_id).where(col(Invitation.accepted_at).is_(None)))
    if query:
        like = f"%{query.lower()}%"
        condition = and_(condition, or_(func.lower(User.display_name).like(like), col(User.email).like(like)))
    total = session.exec(select(func.count()).select_from(User).where(condition)).one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    users = session.exec(select(User).where(condition).order_by(User.display_name, User.id)
                         .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return UserPage(list(users), total, page, pages, query, invited_only)


def add_user(session: Session, email: str, name: str, role: str, password: str | None) -> User:
    """Create an account (the caller commits). Raises Invalid naming the field at fault.

    `password` None: an invited account that cannot sign in until the person chooses a password."""
    problems = []
    if not name.strip():
        problems.append(Problem(("name",), "is required"))
    try:
        role = Role(role)
    except ValueError:
        problems.append(Problem(("role",), "choose employee, lead or admin"))
    if problems:
        raise Invalid(problems)
    try:
        user = create_user(session, email, password, name.strip()[:120], role)
    except AccountError as error:
        raise Invalid([Problem((error.field,), str(error))]) from None
    session.flush()
    return user


def change_role(session: Session, user: User, role: str, acting: User) -> None:
    """Give `user` another role. Raises Invalid for an unknown role or an admin demoting themselves."""
    try:
        role = Role(role)
    except ValueError:
        raise Invalid.one("role", "choose employee, lead or admin") from None
    if user.id == acting.id and role is not Role.ADMIN:
        raise Invalid.one("role", "You cannot take the admin role from yourself; ask another admin.")
    if user.role != role:
        revoke_sessions(user)  # pages and forms open under the old role must not go on working
    user.role = role
    session.add(user)


def set_active(session: Session, user: User, active: bool, acting: User) -> None:
    """Deactivate (sign-in refused, history kept) or reactivate an account."""
    if user.id == acting.id and not active:
        raise Invalid.one("active", "You cannot deactivate your own account.")
    if user.is_active != active:
        revoke_sessions(user)  # a reactivated account must not revive the cookies it had before
    user.is_active = active
    session.add(user)


def set_password(session: Session, user: User, password: str) -> None:
    """Give the account a new password (imported accounts start without a usable one)."""
    from ..auth.passwords import WeakPassword, check_password
    from ..security import hash_password

    try:
        check_password(password, user.email)
    except WeakPassword as error:
        raise Invalid.one("password", str(error)) from None
    user.password_hash = hash_password(password)
    revoke_sessions(user)
    session.add(user)
