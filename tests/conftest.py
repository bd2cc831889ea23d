"""Fixtures: an app on each database backend, signed-in clients, CSRF tokens, a private Redis.

Every test that takes `app` (or `session`) runs once on SQLite and once on PostgreSQL. Set
LEARNLOOP_TEST_BACKENDS=sqlite (or postgresql) to run one backend only.
"""
from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from jinja2 import BytecodeCache
from pydantic import SecretStr
from sqlalchemy import create_engine, text
from sqlmodel import Session, SQLModel

from webapp import create_app
from webapp.auth.throttle import SignInThrottle
from webapp.db import dispose_engines, get_engine
from webapp.security import limiter
from webapp.settings import load_settings

from .support import redis_server

PG_ADMIN_URL = os.environ.get("LEARNLOOP_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = [name for name in os.environ.get("LEARNLOOP_TEST_BACKENDS", "sqlite,postgresql").split(",") if name]
PASSWORD = "correct horse battery"


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives Chromium through Playwright")
    config.addinivalue_line("markers", "redis: needs a redis-server binary and real rq workers")
    config.addinivalue_line("markers", "faults: fault drills with real servers, workers and outages")
    config.addinivalue_line("markers", "slow: `make run` or a load test end to end, a sweep of every route (role matrix, "
                            "fuzz), a real LRS, many sign-ins or a wait on a deadline (left out of `make test-fast`)")


@pytest.fixture(autouse=True)
def _offline_writer_by_default(monkeypatch):
    """No test reaches a real model, whatever the developer's shell exports; LLM tests point at the fake server."""
    from webapp.settings import get_settings

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def _mail_stays_in_the_test(monkeypatch, tmp_path):
    """No test sends real mail or writes .eml files into the project; mail tests start their own SMTP server."""
    monkeypatch.delenv("MAIL_SERVER", raising=False)
    monkeypatch.setenv("MAIL_FILE_DIR", str(tmp_path / "mail"))


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    """Argon2 with the production cost takes ~0.1 s a hash; tests sign in thousands of times."""
    from argon2 import PasswordHasher

    import webapp.security

    monkeypatch.setattr(webapp.security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file, copied for each test (faster than migrating every time)."""
    from webapp.migrate import upgrade

    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    dispose_engines()  # checkpoints the WAL so the single file is complete
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A PostgreSQL database of this test run (its own name, so parallel runs never meet), migrated once."""
    from webapp.migrate import upgrade

    name = f"learnloop_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    yield url
    dispose_engines()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _empty_all(url: str) -> None:
    """Every table emptied and every id counter back at 1, for the next test.

    DELETE with the foreign-key triggers off, not TRUNCATE: TRUNCATE gives each of some 50 tables and their
    indexes new files, 0.5 s a test against 0.05 s for deleting the few rows a test writes."""
    with get_engine(url).begin() as connection:
        sequences = connection.exec_driver_sql(
            "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) FROM pg_sequences").scalars().all()
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        statements = [f'DELETE FROM "{table.name}"' for table in SQLModel.metadata.sorted_tables]
        statements += [f"ALTER SEQUENCE {sequence} RESTART" for sequence in sequences]
        connection.exec_driver_sql("; ".join(statements))


@pytest.fixture(scope="session")
def sqlite_path(tmp_path_factory) -> Path:
    """The SQLite file of this test process's tests, one test after another."""
    return tmp_path_factory.mktemp("sqlite") / "learnloop.db"


def _fresh_sqlite(template: Path, path: Path) -> str:
    """A new copy of the migrated template at `path`, behind the same URL as the last test's database.

    The same URL keeps the same engine, and with it the statements SQLAlchemy has compiled (a new engine
    per test compiled each query again: a fifth of a test's time). The last test's connections are closed
    and the copy replaces the file whole, so a connection left open elsewhere keeps the old file."""
    url = f"sqlite:///{path}"
    get_engine(url).dispose()
    for journal in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        journal.unlink(missing_ok=True)
    copy = path.with_name(path.name + ".new")
    shutil.copy(template, copy)
    os.replace(copy, path)
    return url


@pytest.fixture(params=BACKENDS)
def database_url(request) -> Iterator[str]:
    """An empty, migrated database on each backend."""
    if request.param == "sqlite":
        yield _fresh_sqlite(request.getfixturevalue("sqlite_template"), request.getfixturevalue("sqlite_path"))
    else:
        url = request.getfixturevalue("pg_database")
        _empty_all(url)
        yield url


@pytest.fixture
def settings_overrides() -> dict:
    """Override in a test module to change settings for its app."""
    return {}


@pytest.fixture
def settings(database_url, settings_overrides):
    values = dict(database_url=database_url, secret_key="test-secret", outbox_pump=False, redis_url=None)
    values.update(settings_overrides)
    return load_settings(**values)


class _CompiledTemplates(BytecodeCache):
    """Templates compiled once per test process, not once per test's app (each test builds an app of its own)."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = _CompiledTemplates()


class _Apps:
    """One app per test process and settings, handed to the next test with the same settings.

    Building an app costs ~0.1 s (Werkzeug compiles ~170 URL rules), a third of a typical test. Between tests
    the app gets the new test's settings (its own database) and starts clean: its configuration as built,
    no rate-limit or sign-in counts, no cached board. Apps of single sign-on (Authlib caches the provider's
    keys) or Redis (counts live in the server) are built fresh for every test, as are all apps after another
    app replaced the process-wide rate limiter's storage."""

    def __init__(self):
        self.built: dict[str, tuple] = {}

    def get(self, settings) -> Flask:
        if settings.uses_sso or settings.redis_url:
            return build_app(settings)
        key = _settings_key(settings)
        if key in self.built:
            app, config, storage = self.built[key]
            if limiter.storage is storage:
                app.config.clear()
                app.config.update(config, LEARNLOOP=settings)
                app.extensions["sign_in_throttle"] = SignInThrottle(None)
                app.extensions.pop("learnloop_board_cache", None)
                limiter.reset()
                return app
        app = build_app(settings)
        self.built[key] = (app, dict(app.config), limiter.storage)
        return app


def build_app(settings) -> Flask:
    """A new app for one test; a module whose tests add routes to the app overrides `app` with this."""
    app = create_app(settings)
    app.config.update(TESTING=True)
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    return app


PER_TEST_PLACES = {"database_url", "mail_file_dir"}  # where each test's own data goes


def _settings_key(settings) -> str:
    """Every setting but the test's own places, secrets included (apps with different keys are different)."""
    values = {name: value.get_secret_value() if isinstance(value, SecretStr) else value
              for name, value in settings if name not in PER_TEST_PLACES}
    return repr(sorted(values.items()))


APPS = _Apps()


@pytest.fixture
def app(settings):
    yield APPS.get(settings)


@pytest.fixture
def own_app(settings):
    """An app of this test alone, for a test that adds routes to it."""
    return build_app(settings)


@pytest.fixture
def session(database_url) -> Iterator[Session]:
    with Session(get_engine(database_url), expire_on_commit=False) as session:
        yield session


@pytest.fixture
def client(app):
    return app.test_client()


CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token a page gives this client's session."""
    page = client.get(path)
    match = CSRF_META.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture
def make_user(session):
    """Create a user (and optionally a team membership) straight in the database."""
    from webapp.auth.accounts import create_user
    from webapp.models import Membership, Role, Team

    def make(email="someone@example.com", role=Role.EMPLOYEE, team: str | None = None, lead=False, name=None):
        user = create_user(session, email, PASSWORD, name or email.split("@")[0].title(), role)
        session.flush()
        if team is not None:
            from sqlmodel import select

            team_row = session.exec(select(Team).where(Team.slug == team)).first()
            if team_row is None:
                team_row = Team(name=team.title(), slug=team)
                session.add(team_row)
                session.flush()
            session.add(Membership(user_id=user.id, team_id=team_row.id, is_lead=lead))
        session.commit()
        return user

    return make


class Auth:
    """Signs a test client in and out through the real form, CSRF token included."""

    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = PASSWORD, follow_redirects=False):
        token = csrf_token(self.client)
        return self.client.post(
            "/login", data={"email": email, "password": password, "csrf_token": token},
            follow_redirects=follow_redirects,
        )

    def logout(self):
        token = csrf_token(self.client, "/dashboard")
        return self.client.post("/logout", data={"csrf_token": token})

    def post(self, path: str, data: dict | None = None, page: str = "/dashboard", **kwargs):
        """POST with the CSRF token taken from `page`, as a browser form would."""
        data = dict(data or {})
        data.setdefault("csrf_token", csrf_token(self.client, page))
        return self.client.post(path, data=data, **kwargs)


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture(scope="session")
def oidc_provider():
    """A real OpenID Connect provider process of this test run (see tests/oidc_provider.py)."""
    from .oidc_provider import oidc_provider as start

    with start() as running:
        yield running


@pytest.fixture
def queue_name() -> str:
    """An RQ queue of this test's own."""
    return f"learnloop-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def redis_url(tmp_path) -> Iterator[str]:
    """A private redis-server for this test, so tests can stop and restart it."""
    with redis_server(tmp_path) as server:
        yield server.url


@pytest.fixture
def run_jobs(database_url, monkeypatch):
    """Run every due outbox job as a worker would (same SECRET_KEY as the app, so emailed links verify).

    Returns the statuses of the jobs it ran."""
    from webapp.settings import get_settings
    from workers.dispatch import due_jobs
    from workers.runner import run_outbox_job

    monkeypatch.setenv("SECRET_KEY", "test-secret")
    get_settings.cache_clear()

    def run() -> list[str]:
        statuses = []
        while True:
            with Session(get_engine(database_url)) as session:
                ids = [job.id for job in due_jobs(session)]
            if not ids:
                return statuses
            statuses += [run_outbox_job(job_id, database_url) for job_id in ids]

    return run


@pytest.fixture
def smtp_server(tmp_path, monkeypatch):
    """A real SMTP server (aiosmtpd) on a free port, and the app's jobs pointed at it. Yields the mailbox."""
    from .support import SmtpServer

    server = SmtpServer(tmp_path / "mailbox")
    server.start()
    monkeypatch.setenv("MAIL_SERVER", "127.0.0.1")
    monkeypatch.setenv("MAIL_PORT", str(server.port))
    from webapp.settings import get_settings

    get_settings.cache_clear()
    yield server
    server.stop()

