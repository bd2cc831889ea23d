"""Engines and sessions; importable without Flask, so workers and the CLI share it."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

_engines: dict[tuple[str, int, bool], Engine] = {}
# A read-only session runs each statement on its own (no BEGIN, no ROLLBACK: two round trips fewer per
# request) and PostgreSQL itself refuses any write in it, so a page marked read-only that writes fails
# loudly instead of committing half its changes.
READ_ONLY_OPTIONS = "-c default_transaction_read_only=on"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        # WAL lets the outbox pump read while a request writes; busy_timeout waits out short locks.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def make_engine(url: str, read_only: bool = False) -> Engine:
    """`read_only` only changes PostgreSQL engines: SQLite has no round trips to save."""
    if url.startswith("sqlite:"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        _configure_sqlite(engine)
        return engine
    if read_only:
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, isolation_level="AUTOCOMMIT",
                             connect_args={"options": READ_ONLY_OPTIONS})
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def get_engine(url: str, read_only: bool = False) -> Engine:
    """One engine per URL (and mode) per process: a forked RQ work horse must not reuse its parent's pool."""
    if url.startswith("sqlite:"):
        read_only = False
    key = (url, os.getpid(), read_only)
    engine = _engines.get(key)
    if engine is None:
        engine = _engines[key] = make_engine(url, read_only)
    return engine


def dispose_engines() -> None:
    for key in list(_engines):
        _engines.pop(key).dispose()


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A session for work outside a request (jobs, CLI); commits on success, rolls back on error."""
    with Session(get_engine(url), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
