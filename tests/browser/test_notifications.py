"""The unread count in the navigation goes up without a reload when a teammate gives kudos."""
from __future__ import annotations

import shutil
import time
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from webapp.db import get_engine
from webapp.demo import load_demo
from webapp.models import (
    Challenge, ChallengeStatus, ChallengeTeam, Enrolment, JobStatus, Mission, MissionKind, Notification, OutboxJob,
    Team, User, utcnow,
)
from webapp.play.missions import complete_mission
from webapp.settings import load_settings

from ..support import served
from .conftest import LiveServer, assert_accessible, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def quick_polling_server(sqlite_template, tmp_path):
    """The demo, served with the navigation's count refreshed every 2 s (30 s by default)."""
    path = tmp_path / "live.db"
    shutil.copy(sqlite_template, path)
    database_url = f"sqlite:///{path}"
    with Session(get_engine(database_url), expire_on_commit=False) as session:
        load_demo(session)
    settings = load_settings(database_url=database_url, secret_key="browser-test", redis_url=None, outbox_pump=True,
                             notification_poll_seconds=2)
    with served(settings) as (url, app):
        yield LiveServer(url=url, database_url=database_url, app=app)


def wait_for(condition, what: str, deadline_seconds: float = 20.0):
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"still waiting for {what} after {deadline_seconds} s")


def emma_completes_a_mission(server: LiveServer) -> None:
    """Emma (the demo employee) did something her team sees in its feed."""
    with server.session() as session:
        team = session.exec(select(Team).where(Team.slug == "platform")).one()
        emma = session.exec(select(User).where(User.email == "employee@example.com")).one()
        challenge = Challenge(slug="try-a-tool", title="Try a tool week", status=ChallengeStatus.RUNNING,
                              starts_at=utcnow() - timedelta(days=1), ends_at=utcnow() + timedelta(days=6))
        session.add(challenge)
        session.flush()
        session.add(ChallengeTeam(challenge_id=challenge.id, team_id=team.id))
        mission = Mission(challenge_id=challenge.id, slug="try", title="Try a new tool", kind=MissionKind.EXPERIMENT,
                          points=20, instructions="Use a tool you never used.")
        session.add_all([mission, Enrolment(challenge_id=challenge.id, user_id=emma.id, team_id=team.id)])
        session.commit()
        complete_mission(session, emma, mission.id, "Tried the new profiler.", None, "browser-notify-1")
        session.commit()
        return challenge.id


def unread_of_emma(server: LiveServer) -> int:
    with server.session() as session:
        emma = session.exec(select(User).where(User.email == "employee@example.com")).one()
        busy = session.exec(select(func.count()).select_from(OutboxJob).where(
            col(OutboxJob.status).in_([JobStatus.PENDING, JobStatus.QUEUED, JobStatus.RUNNING]))).one()
        unread = session.exec(select(func.count()).select_from(Notification).where(
            Notification.user_id == emma.id, col(Notification.read_at).is_(None))).one()
        return -1 if busy else unread


def shown_count(page) -> int:
    badge = page.locator("#notification-nav .notification-count")
    return int(badge.inner_text().split()[0]) if badge.count() else 0


def test_unread_count_rises_without_reload_when_a_teammate_gives_kudos(browser, quick_polling_server):
    server = quick_polling_server
    emma_context = browser.new_context(bypass_csp=True)
    emma_context.set_default_timeout(10_000)
    emma = emma_context.new_page()
    sign_in(emma, server, "employee@example.com")  # the first request also starts the app's job runner
    challenge_id = emma_completes_a_mission(server)
    # Her own completion notifies her too (badge, level, prompt): count from where those jobs leave it.
    before = wait_for(lambda: (lambda n: n + 1 if n >= 0 else 0)(unread_of_emma(server)), "Emma's own jobs",
                      deadline_seconds=60) - 1
    wait_for(lambda: shown_count(emma) == before, f"the navigation to show {before} unread")
    emma.evaluate("window.noReloadMarker = 'still here'")
    assert_accessible(emma)

    lead_context = browser.new_context(bypass_csp=True)
    lead_context.set_default_timeout(10_000)
    lead = lead_context.new_page()
    sign_in(lead, server, "lead@example.com")
    lead.goto(f"{server.url}/play/challenges/{challenge_id}/feed")
    lead.get_by_role("button", name="Give kudos to Emma Employee").first.click()
    lead.get_by_text("you gave kudos").first.wait_for()

    wait_for(lambda: shown_count(emma) == before + 1, "the kudos to show in Emma's navigation")
    assert emma.evaluate("window.noReloadMarker") == "still here"  # swapped in by htmx polling, not a page load
    emma.locator("#notification-nav a").click()
    emma.get_by_role("link", name="Lee Lead gave you kudos (+2 points).").wait_for()
    assert_accessible(emma)
    emma.get_by_role("button", name="Mark all").click()
    wait_for(lambda: shown_count(emma) == 0, "the count to clear once all are read")
    lead_context.close()
    emma_context.close()
