"""Timestamps come back from the database as aware UTC datetimes on both backends, so no code re-attaches a zone."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import StatementError
from sqlmodel import Session, select

from webapp.db import get_engine
from webapp.models import Team


def test_a_time_written_in_any_zone_reads_back_as_the_same_instant_in_utc(session, database_url):
    paris_noon = datetime(2026, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    session.add(Team(name="Zoned", slug="zoned", created_at=paris_noon))
    session.commit()
    with Session(get_engine(database_url)) as other:  # a fresh read, not the object still in memory
        stored = other.exec(select(Team.created_at).where(Team.slug == "zoned")).one()
    assert stored.tzinfo is not None and stored.utcoffset() == timedelta(0)
    assert stored == datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    assert stored < datetime(2026, 6, 1, 10, 1, tzinfo=UTC)  # compares with aware times without a TypeError


def test_a_time_without_a_zone_is_refused_rather_than_guessed(session):
    session.add(Team(name="Naive", slug="naive", created_at=datetime(2026, 6, 1, 12, 0)))
    with pytest.raises(StatementError, match="timezone"):
        session.commit()
