"""Single sign-on: who a person is at the organisation's identity provider, and what its groups mean here."""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import created_at_field, enum_field
from .people import Role


class UserIdentity(SQLModel, table=True):
    """One account at one identity provider. An account is found by (issuer, subject), which the provider
    never reuses, and never by email alone (an address can change hands)."""

    __tablename__ = "user_identity"
    __table_args__ = (UniqueConstraint("issuer", "subject", name="uq_user_identity_issuer_subject"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    issuer: str = Field(max_length=255)
    subject: str = Field(max_length=255)
    email: str | None = Field(default=None, max_length=254)  # as the provider last said, for admins to read
    created_at: datetime = created_at_field()
    last_sign_in_at: datetime = created_at_field()


class GroupMapping(SQLModel, table=True):
    """People in the provider's group `idp_group` join `team` (as its lead when `role` is lead) or get
    the admin role. Applied at every single sign-on."""

    __tablename__ = "group_mapping"

    id: int | None = Field(default=None, primary_key=True)
    idp_group: str = Field(max_length=200, index=True)
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True, ondelete="CASCADE")
    role: Role = enum_field(Role, default=Role.EMPLOYEE)
    created_at: datetime = created_at_field()
