"""Plumbing the product needs: the job outbox and in-app notifications."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import created_at_field, enum_field, utcnow


class JobStatus(StrEnum):
    PENDING = "pending"  # written, waiting for the dispatcher (or the in-process runner)
    QUEUED = "queued"  # handed to RQ
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # out of attempts; can be retried by a person


class OutboxJob(SQLModel, table=True):
    """A job written in the same transaction as the change that causes it."""

    __tablename__ = "outbox_job"
    __table_args__ = (Index("ix_outbox_job_status_available", "status", "available_at"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    payload: dict = Field(default_factory=dict, sa_type=JSON)
    # Stable key of the work: enqueueing the same work twice gives one row.
    key: str = Field(max_length=120, unique=True)
    status: JobStatus = enum_field(JobStatus, default=JobStatus.PENDING)
    attempts: int = Field(default=0)
    available_at: datetime = created_at_field()
    claimed_at: datetime | None = None
    finished_at: datetime | None = None
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = created_at_field()
    # When the current run of this work was asked for (written, or retried by a person): the job kind's
    # deadline counts from here, whatever timeouts, retries and backoff add up to.
    started_at: datetime | None = Field(default_factory=utcnow)
    # 429 waits so far in this run: capped by LLM_RATE_LIMIT_WAITS, as attempts are by JOB_MAX_ATTEMPTS.
    rate_limit_waits: int = Field(default=0)


class Notification(SQLModel, table=True):
    """One line in a person's notification centre. Every kind is listed in webapp.notifications.kinds."""

    __table_args__ = (
        # What caused it, once per person: a job that runs twice (or two paths to one event) notifies once.
        UniqueConstraint("user_id", "source", name="uq_notification_user_source"),
        Index("ix_notification_user_unread", "user_id", "read_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    kind: str = Field(default="general", max_length=40, sa_column_kwargs={"server_default": "general"})
    text: str = Field(max_length=500)
    link: str | None = Field(default=None, max_length=500)
    # What caused it (e.g. "kudos:12"), so a job that runs twice notifies once.
    source: str | None = Field(default=None, max_length=80, index=True)
    read_at: datetime | None = None
    created_at: datetime = created_at_field()


class NotificationPreference(SQLModel, table=True):
    """A person's choice for one kind of notification, where it differs from the kind's default.

    In-app is always on; `email` sends each one as it happens, `digest` puts the kind in the weekly digest."""

    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("user_id", "kind", name="uq_notification_preference_user_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    kind: str = Field(max_length=40)
    email: bool
    digest: bool
    updated_at: datetime = created_at_field()


class DigestSent(SQLModel, table=True):
    """The weekly digest went to this person for this ISO week of their own zone (or there was nothing to say)."""

    __tablename__ = "digest_sent"
    __table_args__ = (UniqueConstraint("user_id", "week", name="uq_digest_sent_user_week"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    week: str = Field(max_length=10)  # e.g. "2027-W13"
    # None when there was nothing new: the week is done for them all the same.
    email_id: int | None = Field(default=None, foreign_key="email.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()
