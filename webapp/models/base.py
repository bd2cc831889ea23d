"""Shared column helpers. Every `datetime` field is SQLModel's UTCDateTime column type: a naive time is refused on
write and every read is an aware UTC datetime, on SQLite and PostgreSQL alike (tests/test_timestamps.py)."""

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import Enum
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
    """A VARCHAR column holding an enum's value, read back as the enum member.

    Not a native PostgreSQL enum type, so adding a value never needs an ALTER TYPE migration.
    """
    column_type = Enum(
        enum, native_enum=False, create_constraint=False, length=max(len(member.value) for member in enum),
        values_callable=lambda members: [member.value for member in members],
    )
    if default is None:
        return Field(sa_type=column_type, **kwargs)
    return Field(default=default, sa_type=column_type, **kwargs)
