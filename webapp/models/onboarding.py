"""Bringing people in: invitations, password resets, CSV imports run as jobs, and the email they send."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Index, Text
from sqlmodel import Field, SQLModel

from .base import created_at_field, enum_field


class Invitation(SQLModel, table=True):
    """An invited account's way in: one link at a time (a resend gives a new nonce), used once."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", unique=True, ondelete="CASCADE")
    invited_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    # What the signed link names; replaced on resend, so only the latest link works.
    nonce: str = Field(max_length=64, unique=True)
    sent_at: datetime = created_at_field()
    expires_at: datetime
    accepted_at: datetime | None = None
    revoked_at: datetime | None = None
    created_at: datetime = created_at_field()


class PasswordReset(SQLModel, table=True):
    """One "forgot password" link: valid for an hour, used once."""

    __tablename__ = "password_reset"
    __table_args__ = (Index("ix_password_reset_user_created", "user_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    nonce: str = Field(max_length=64, unique=True)
    expires_at: datetime
    used_at: datetime | None = None
    created_at: datetime = created_at_field()


class ImportStatus(StrEnum):
    WAITING = "waiting"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class PeopleImport(SQLModel, table=True):
    """A CSV of people to invite, worked through by a job in batches; `report` holds each row's outcome."""

    __tablename__ = "people_import"

    id: int | None = Field(default=None, primary_key=True)
    created_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    file_name: str = Field(max_length=255)
    csv_text: str = Field(sa_type=Text)
    create_missing_teams: bool = Field(default=False)
    # Where the invitation links point (the address the admin used), since the job has no request.
    base_url: str = Field(max_length=255)
    status: ImportStatus = enum_field(ImportStatus, default=ImportStatus.WAITING)
    total: int = Field(default=0)
    done: int = Field(default=0)
    report: list = Field(default_factory=list, sa_type=JSON)
    teams_created: list = Field(default_factory=list, sa_type=JSON)
    error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = created_at_field()
    finished_at: datetime | None = None


class Email(SQLModel, table=True):
    """A message as it was composed in the transaction that caused it; a job sends it and records when."""

    id: int | None = Field(default=None, primary_key=True)
    to: str = Field(max_length=254)
    subject: str = Field(max_length=200)
    kind: str = Field(max_length=40)
    text_body: str = Field(sa_type=Text)
    html_body: str = Field(sa_type=Text)
    # Stable across retries, so a receiving server can drop a duplicate of the same message.
    message_id: str = Field(max_length=200)
    sent_at: datetime | None = Field(default=None, index=True)
    # The .eml file it was written to, when no SMTP server is configured.
    file_name: str | None = Field(default=None, max_length=120)
    # Signed one-click unsubscribe link (RFC 8058) of notification mail; None for account mail.
    unsubscribe_url: str | None = Field(default=None, max_length=500)
    created_at: datetime = created_at_field()
