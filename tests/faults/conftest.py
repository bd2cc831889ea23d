"""Fault drills: real servers, real workers, real outages. Each drill counts what was accepted against
what was stored."""
from __future__ import annotations

import re
from contextlib import contextmanager
import uuid

import pytest
import requests
from sqlmodel import Session, select

from webapp.db import get_engine
from webapp.demo import DEMO_PASSWORD, load_demo
from webapp.models import Challenge, Mission, User
from webapp.settings import load_settings

from ..support import served

CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/faults/" in str(item.fspath):
            item.add_marker(pytest.mark.faults)


@pytest.fixture
def demo_database(database_url):
    with Session(get_engine(database_url), expire_on_commit=False) as session:
        load_demo(session)
    return database_url


@contextmanager
def serve(settings):
    """Serve an app for these settings on a free port in this process; yields its URL."""
    with served(settings) as (url, _app):
        yield url


class Employee:
    """A person in a browser: signs in, completes missions through the real form."""

    def __init__(self, base: str, email: str):
        self.base = base
        self.http = requests.Session()
        token = CSRF.search(self.http.get(f"{base}/login", timeout=10).text).group(1)
        response = self.http.post(f"{base}/login", data={"email": email, "password": DEMO_PASSWORD,
                                                         "csrf_token": token}, allow_redirects=False, timeout=10)
        assert response.status_code == 303, response.text
        self.token = CSRF.search(self.http.get(f"{base}/dashboard", timeout=10).text).group(1)

    def complete(self, mission_id: int, evidence: str) -> requests.Response:
        return self.http.post(f"{self.base}/play/missions/{mission_id}/complete", data={
            "csrf_token": self.token, "evidence_text": evidence, "evidence_url": "",
            "idempotency_key": uuid.uuid4().hex}, allow_redirects=False, timeout=30)


def demo_players(session: Session, count: int) -> list[str]:
    """Emails of demo employees enrolled in the running challenge (the demo enrols everyone)."""
    users = session.exec(select(User.email).where(User.email.like("%@example.com")).order_by(User.id)).all()
    return [email for email in users if email not in ("admin@example.com",)][:count]


def open_mission(session: Session) -> Mission:
    """A mission anyone may complete again and again (no limit, no cooldown, no daily cap)."""
    challenge = session.exec(select(Challenge)).first()
    challenge.daily_point_cap = None
    session.add(challenge)
    session.commit()
    return session.exec(select(Mission).where(Mission.challenge_id == challenge.id,
                                              Mission.slug == "try-new-tool")).one()


