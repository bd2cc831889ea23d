"""Portable badges: the issuer's signing keys and the credentials people claimed for their awards."""

from datetime import datetime

from sqlalchemy import JSON, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import created_at_field


class IssuerKey(SQLModel, table=True):
    """An Ed25519 key of the issuer's did:web. The newest key not retired signs; every key not retired
    stays in the DID document, so credentials signed before a rotation keep verifying."""

    __tablename__ = "issuer_key"

    id: int | None = Field(default=None, primary_key=True)
    key_id: str = Field(max_length=40, unique=True)  # the fragment of the verification method: "#key-…"
    public_key_multibase: str = Field(max_length=80)
    # The private key, encrypted with a key derived from SECRET_KEY: a database dump alone cannot sign.
    private_key_encrypted: str = Field(sa_type=Text)
    created_at: datetime = created_at_field()
    retired_at: datetime | None = None


class BadgeCredential(SQLModel, table=True):
    """An award claimed by its owner: the signed Open Badges 3.0 credential, kept as issued."""

    __tablename__ = "badge_credential"
    __table_args__ = (UniqueConstraint("award_id", "user_id", name="uq_badge_credential_award_user"),)

    id: int | None = Field(default=None, primary_key=True)  # also the credential's index in the status list
    public_id: str = Field(max_length=36, unique=True)  # the credential's address; says nothing about the person
    award_id: int = Field(foreign_key="badge_award.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    badge_id: int = Field(foreign_key="badge.id", index=True, ondelete="CASCADE")
    salt: str = Field(max_length=64)  # salts the recipient's email hash (the same salt in 3.0 and 2.0)
    document: dict = Field(default_factory=dict, sa_type=JSON)  # the signed credential, exactly as issued
    key_id: str = Field(max_length=40)
    issued_at: datetime = created_at_field()
    revoked_at: datetime | None = None
    revocation_reason: str = Field(default="", max_length=500)
    revoked_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
