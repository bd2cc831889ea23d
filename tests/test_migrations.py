"""Migrations upgrade and downgrade on both backends, and the models match what they build."""
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import DatabaseError
from sqlmodel import SQLModel

from webapp.db import dispose_engines, get_engine
from webapp.migrate import current_revision, downgrade, head_revision, upgrade

from .conftest import BACKENDS, PG_ADMIN_URL


@pytest.fixture(params=BACKENDS)
def empty_database(request, tmp_path):
    """A database with no tables at all (not the shared migrated one)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"learnloop_migrate_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    dispose_engines()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


# Full-text search objects the migration makes by hand for one backend (the lessons library); no model has them.
HAND_MADE_SEARCH = ("lesson_fts", "ix_lesson_text_search")


def _not_hand_made(name, type_, parent_names) -> bool:
    return not (name or "").startswith(HAND_MADE_SEARCH)


def _tables(url):
    names = set(inspect(get_engine(url)).get_table_names()) - {"alembic_version"}
    return {name for name in names if _not_hand_made(name, "table", {})}


def test_upgrade_creates_every_table_and_downgrade_removes_them(empty_database):
    upgrade(empty_database)
    assert current_revision(empty_database) == head_revision()
    assert _tables(empty_database) == set(SQLModel.metadata.tables)
    downgrade(empty_database, "base")
    assert _tables(empty_database) == set()
    upgrade(empty_database)  # and back up again: the downgrade left nothing behind
    assert _tables(empty_database) == set(SQLModel.metadata.tables)


def test_models_match_migrations(database_url):
    """A model change without the matching migration fails here."""
    with get_engine(database_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False, "include_name": _not_hand_made})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_points_ledger_refuses_update_and_delete(session, make_user):
    from webapp.models import Challenge, PointEvent, PointReason, Team, utcnow

    user = make_user("ada@example.com", team="core")
    team = session.exec(__import__("sqlmodel").select(Team)).one()
    challenge = Challenge(slug="c", title="C", starts_at=utcnow(), ends_at=utcnow())
    session.add(challenge)
    session.flush()
    session.add(PointEvent(user_id=user.id, team_id=team.id, challenge_id=challenge.id, amount=10,
                           reason=PointReason.COMPLETION, source_type="completion", source_id=1))
    session.commit()
    for statement in ("UPDATE point_event SET amount = 1000", "DELETE FROM point_event"):
        with pytest.raises(DatabaseError, match="append-only"):
            session.exec(text(statement))
        session.rollback()
    assert session.exec(text("SELECT amount FROM point_event")).all() == [(10,)]
