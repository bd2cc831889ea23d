"""Alembic environment: the URL comes from settings (or the caller), the schema from the models."""
from alembic import context
from sqlmodel import SQLModel

import webapp.models  # noqa: F401  (registers the tables)
from webapp.db import make_engine
from webapp.settings import get_settings

config = context.config
url = config.attributes.get("database_url") or get_settings().database_url


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=SQLModel.metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(url)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode recreates the table
        compare_type=True,
        # The lessons library's full-text search objects are made by hand in 0001 (no model has them).
        include_name=lambda name, type_, parents: not (name or "").startswith(("lesson_fts", "ix_lesson_text_search")),
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
