"""What Learnloop sends out: admins' webhook endpoints, teams' chat hooks, and the delivery log of both (and xAPI)."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Index, Text
from sqlmodel import Field, SQLModel

from .base import created_at_field, enum_field


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # written with the change that caused it; the outbox job sends it
    DELIVERED = "delivered"
    FAILED = "failed"  # out of attempts; an admin may send it again
    SKIPPED = "skipped"  # its endpoint or hook was switched off before it went


class WebhookEndpoint(SQLModel, table=True):
    """An address an admin registered to receive signed JSON events."""

    __tablename__ = "webhook_endpoint"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2000)
    description: str = Field(default="", max_length=200)
    # Event names, e.g. ["completion.recorded", "badge.awarded"].
    events: list = Field(default_factory=list, sa_type=JSON)
    # The signing secret, shown once when the endpoint is made; kept to sign (unlike a password, it must be read).
    secret: str = Field(max_length=100)
    active: bool = Field(default=True)
    consecutive_failures: int = Field(default=0)
    disabled_reason: str | None = Field(default=None, max_length=300)
    created_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()


class ChatHook(SQLModel, table=True):
    """A team's incoming-webhook address at Slack or Microsoft Teams, stored encrypted and never shown again."""

    __tablename__ = "chat_hook"

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", unique=True, ondelete="CASCADE")
    url_encrypted: str = Field(sa_type=Text)
    kind: str = Field(max_length=10)  # "slack" or "teams"
    host: str = Field(max_length=255)  # shown instead of the address, which holds the secret
    active: bool = Field(default=True)
    consecutive_failures: int = Field(default=0)
    disabled_reason: str | None = Field(default=None, max_length=300)
    updated_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    updated_at: datetime = created_at_field()


class OutboundDelivery(SQLModel, table=True):
    """One message to one receiver (a webhook endpoint, a team's chat, or the LRS), written in the transaction of
    the change it reports; its `key` makes the same event to the same receiver one row, however often it is told."""

    __tablename__ = "outbound_delivery"
    __table_args__ = (Index("ix_outbound_delivery_endpoint_created", "endpoint_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=160, unique=True)
    channel: str = Field(max_length=10)  # "webhook", "chat" or "xapi"
    event: str = Field(max_length=40)
    endpoint_id: int | None = Field(default=None, foreign_key="webhook_endpoint.id", ondelete="CASCADE")
    chat_hook_id: int | None = Field(default=None, foreign_key="chat_hook.id", index=True, ondelete="CASCADE")
    payload: dict = Field(default_factory=dict, sa_type=JSON)
    status: DeliveryStatus = enum_field(DeliveryStatus, default=DeliveryStatus.PENDING, index=True)
    attempts: int = Field(default=0)
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, sa_type=Text)
    # Manual redeliveries so far: each is an outbox job of its own.
    redeliveries: int = Field(default=0)
    created_at: datetime = created_at_field()
    delivered_at: datetime | None = None


class DeliveryAttempt(SQLModel, table=True):
    """One try at sending a delivery: what came back (or why nothing did)."""

    __tablename__ = "delivery_attempt"

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="outbound_delivery.id", index=True, ondelete="CASCADE")
    status_code: int | None = None
    error: str | None = Field(default=None, max_length=500)
    duration_ms: int = Field(default=0)
    created_at: datetime = created_at_field()
