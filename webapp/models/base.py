"""Shared column helpers. Timestamps are aware UTC datetimes (SQLModel stores them alike on both backends)."""

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import String
from sqlmodel import Field, SQLModel

# Named constraints let migrations alter tables the same way on SQLite (batch mode) and PostgreSQL.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

def utcnow() -> datetime:
    return datetime.now(UTC)


def created_at_field():
    return Field(default_factory=utcnow, nullable=False)


def enum_field(enum: type[StrEnum], default=None, **kwargs):
    """A short string column holding an enum's value (portable: no native PostgreSQL enum types)."""
    length = max(len(member.value) for member in enum)
    if default is None:
        return Field(sa_type=String(length), **kwargs)
    return Field(default=default, sa_type=String(length), **kwargs)
