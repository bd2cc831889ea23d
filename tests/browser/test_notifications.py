"""The unread count in the navigation goes up without a reload when a teammate gives kudos, and stops quietly
when the session ends."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from webapp.auth.sessions import revoke_sessions
from webapp.models import JobStatus, Mission, MissionKind, Notification, OutboxJob, User
from webapp.play.missions import complete_mission

from .conftest import LiveServer, add_running_challenge, assert_accessible, give_kudos, person_page, serve_demo, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def quick_polling_server(sqlite_template, tmp_path):
    """The demo, served with the navigation's count refreshed every 2 s (30 s by default)."""
    with serve_demo(sqlite_template, tmp_path, notification_poll_seconds=2) as server:
        yield server


def wait_for(condition, what: str, deadline_seconds: float = 20.0):
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"still waiting for {what} after {deadline_seconds} s")


def emma_completes_a_mission(server: LiveServer) -> int:
    """Emma (the demo employee) did something her team sees in its feed."""
    challenge_id = add_running_challenge(server, "try-a-tool", "Try a tool week", enrol=("employee@example.com",),
                                         missions=[dict(slug="try", title="Try a new tool", points=20,
                                                        kind=MissionKind.EXPERIMENT,
                                                        instructions="Use a tool you never used.")])
    with server.session() as session:
        emma = session.exec(select(User).where(User.email == "employee@example.com")).one()
        mission_id = session.exec(select(Mission.id).where(Mission.challenge_id == challenge_id)).one()
        complete_mission(session, emma, mission_id, "Tried the new profiler.", None, "browser-notify-1")
        session.commit()
    return challenge_id


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
    emma = person_page(browser)
    sign_in(emma, server, "employee@example.com")  # the first request also starts the app's job runner
    challenge_id = emma_completes_a_mission(server)
    # Her own completion notifies her too (badge, level, prompt): count from where those jobs leave it.
    before = wait_for(lambda: (lambda n: n + 1 if n >= 0 else 0)(unread_of_emma(server)), "Emma's own jobs",
                      deadline_seconds=60) - 1
    wait_for(lambda: shown_count(emma) == before, f"the navigation to show {before} unread")
    emma.evaluate("window.noReloadMarker = 'still here'")
    assert_accessible(emma)

    lead = person_page(browser)
    sign_in(lead, server, "lead@example.com")
    lead.goto(f"{server.url}/play/challenges/{challenge_id}/feed")
    give_kudos(lead, "Emma Employee")
    lead.context.close()

    wait_for(lambda: shown_count(emma) == before + 1, "the kudos to show in Emma's navigation")
    assert emma.evaluate("window.noReloadMarker") == "still here"  # swapped in by htmx polling, not a page load
    emma.locator("#notification-nav a").click()
    emma.get_by_role("link", name="Lee Lead gave you kudos (+2 points).").wait_for()
    assert_accessible(emma)
    emma.get_by_role("button", name="Mark all").click()
    wait_for(lambda: shown_count(emma) == 0, "the count to clear once all are read")

    # Her session ends (signed out everywhere) while the page stays open: the next poll leaves a plain link
    # and stops; no error panel lands in the navigation.
    with server.session() as session:
        revoke_sessions(session.exec(select(User).where(User.email == "employee@example.com")).one())
        session.commit()
    emma.locator("#notification-nav:not([hx-get])").wait_for()
    assert emma.locator("header .request-error").count() == 0
    assert emma.locator("#notification-nav").inner_text().strip() == "Notifications"
    emma.context.close()
