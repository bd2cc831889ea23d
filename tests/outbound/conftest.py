"""Fixtures of the outbound tests: a recording HTTP server, ralph's LRS, and settings shared by app and workers."""
from __future__ import annotations

import uuid

import pytest
from sqlmodel import Session, select

from webapp.db import get_engine
from webapp.models import OutboxJob

from ..play.conftest import World
from .servers import LRS_PASSWORD, LRS_PYTHON, LRS_USER, Lrs, RecordingServer


@pytest.fixture
def world(session, make_user) -> World:
    return World(session, make_user)


@pytest.fixture
def recorder():
    server = RecordingServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def lrs(tmp_path_factory):
    assert LRS_PYTHON.exists(), "the tests' LRS is not installed: run `make lrs`"
    server = Lrs(tmp_path_factory.mktemp("lrs")).start()
    yield server
    server.stop()


@pytest.fixture
def public_url() -> str:
    """A deployment address of this test's own, so its statements are told apart in the shared LRS."""
    return f"http://learnloop-{uuid.uuid4().hex[:10]}.test"


@pytest.fixture
def outbound_settings(public_url) -> dict:
    return dict(public_url=public_url, outbound_allow_local_chat_urls=True, outbound_disable_after=3,
                outbound_timeout_seconds=5)


@pytest.fixture
def settings_overrides(outbound_settings) -> dict:
    return outbound_settings


@pytest.fixture(autouse=True)
def _workers_share_the_settings(settings, monkeypatch):
    """Jobs read the process's settings from the environment: give them the app's outbound ones."""
    from webapp.settings import get_settings

    for name in ("public_url", "outbound_allow_local_chat_urls", "outbound_disable_after",
                 "outbound_timeout_seconds", "xapi_endpoint", "xapi_username"):
        value = getattr(settings, name)
        if value is None:
            monkeypatch.delenv(name.upper(), raising=False)
        else:
            monkeypatch.setenv(name.upper(), str(value))
    if settings.xapi_password is not None:
        monkeypatch.setenv("XAPI_PASSWORD", settings.xapi_password.get_secret_value())
    monkeypatch.setenv("SECRET_KEY", "test-secret")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def xapi_settings(outbound_settings, lrs) -> dict:
    return dict(outbound_settings, xapi_endpoint=lrs.endpoint, xapi_username=LRS_USER, xapi_password=LRS_PASSWORD)


def outbound_jobs(database_url: str) -> list[OutboxJob]:
    with Session(get_engine(database_url)) as session:
        return list(session.exec(select(OutboxJob).where(OutboxJob.name == "outbound.deliver")
                                 .order_by(OutboxJob.id)))


def run_job_now(database_url: str, job_id: int) -> str:
    """Run one outbox job as a worker would, even before its backoff is over (the clock is not what is tested)."""
    from workers.runner import run_outbox_job

    return run_outbox_job(job_id, database_url)


def due_job_ids(database_url: str) -> list[int]:
    """Jobs a worker would take now."""
    from workers.dispatch import due_jobs

    with Session(get_engine(database_url)) as session:
        return [job.id for job in due_jobs(session)]
