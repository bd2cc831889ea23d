"""Plumbing the product needs: the job outbox and in-app notifications."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Index, Text
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
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    text: str = Field(max_length=500)
    link: str | None = Field(default=None, max_length=500)
    # What caused it (e.g. "job:12"), so a job that runs twice notifies once.
    source: str | None = Field(default=None, max_length=80, index=True)
    read_at: datetime | None = None
    created_at: datetime = created_at_field()
