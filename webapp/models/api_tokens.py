"""Personal and service access tokens for the JSON API: only a hash of each is kept."""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from .base import created_at_field, enum_field


class TokenScope(StrEnum):
    """What a token may do, each scope including the ones before it; never more than its owner's role."""

    READ = "read"
    WRITE = "write"
    ADMIN = "admin"


class ApiToken(SQLModel, table=True):
    """A bearer token acting as `user_id`, capped by `scope`. A service token is one an admin made for a
    system rather than for themselves: every admin sees and may revoke it."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    # sha256 of the whole token, hex: the token itself is shown once and never stored.
    token_hash: str = Field(max_length=64, unique=True)
    # The first characters after the prefix, so a person can tell their tokens apart.
    hint: str = Field(max_length=16)
    scope: TokenScope = enum_field(TokenScope, default=TokenScope.READ)
    service: bool = Field(default=False)
    created_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()
    expires_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
