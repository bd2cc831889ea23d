"""Engines and sessions; importable without Flask, so workers and the CLI share it."""
from __future__ import annotations

import os
from collections.abc import Callable

from sqlalchemy import event, insert
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


class AfterCommit:
    """Run `action` once after a transaction that called `mark(session)` commits; forget the mark on rollback.

    For effects outside the database (waking a thread, invalidating a cache) that must not happen for work
    that is rolled back, nor before other processes can see the rows."""

    def __init__(self, name: str, action: Callable[[], None]):
        self.name = name
        self.action = action
        event.listen(Session, "after_commit", self._committed)
        event.listen(Session, "after_rollback", self._rolled_back)

    def __repr__(self) -> str:
        return f"AfterCommit({self.name!r})"

    def mark(self, session: Session) -> None:
        session.info[self] = True  # keyed by the instance: two with one name never share a mark

    def _committed(self, session: Session) -> None:
        if session.info.pop(self, False):
            self.action()

    def _rolled_back(self, session: Session) -> None:
        session.info.pop(self, None)


def take_write_lock(session: Session) -> None:
    """On SQLite, make this transaction the database's one writer now (BEGIN IMMEDIATE), before a rule's checks.

    SQLite runs reads outside a transaction until the first write, so two requests could both check a limit
    and then both insert. Holding the write lock from before the checks until commit makes such requests
    take turns (the next waits on busy_timeout), the embedded twin of the row lock PostgreSQL callers take.
    A no-op on PostgreSQL, and on SQLite once the transaction has written (it holds the lock already)."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    if not connection.connection.driver_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _create_private_file(path: str) -> None:
    """Create the SQLite file readable by its owner only (0600) before SQLite opens it: SQLite gives its
    -wal and -shm files the database file's permissions, and would create it with the umask's (often 0644)."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), mode=0o700, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass


def make_engine(url: str, read_only: bool = False) -> Engine:
    """`read_only` only changes PostgreSQL engines: SQLite has no round trips to save."""
    if url.startswith("sqlite:"):
        path = url.removeprefix("sqlite:///").split("?", 1)[0]
        if path and path != ":memory:":
            _create_private_file(path)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        _configure_sqlite(engine)
        return engine
    pool = {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 10}
    if read_only:
        return create_engine(url, **pool, isolation_level="AUTOCOMMIT", connect_args={"options": READ_ONLY_OPTIONS})
    return create_engine(url, **pool)


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


def insert_rows(session: Session, model, rows: list[dict], returning=None) -> list:
    """Insert many rows of `model` in one executemany (no ORM objects: building 20,000 of them costs seconds).

    Fields left out get the model's own defaults, so a column added later with a default needs no change
    here. With `returning` (a column), gives its values in the order of `rows`."""
    if not rows:
        return []
    defaults = {name: field.get_default(call_default_factory=True) for name, field in model.model_fields.items()
                if name != "id" and not field.is_required()}
    values = [{**defaults, **row} for row in rows]
    if returning is None:
        session.execute(insert(model), values)
        return []
    return list(session.execute(insert(model).returning(returning, sort_by_parameter_order=True), values).scalars())
