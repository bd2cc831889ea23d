"""Browser fixtures: a live Learnloop on a fresh SQLite database with demo data, Chromium via Playwright,
and an axe-core accessibility check every page test can call."""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from webapp.db import get_engine
from webapp.demo import DEMO_PASSWORD, load_demo
from webapp.models import Badge, Challenge, ChallengeStatus, ChallengeTeam, Enrolment, Mission, Team, User, utcnow
from webapp.settings import load_settings

from ..support import served

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = ROOT / "webapp" / "assets" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-dev-shm-usage"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@dataclass
class LiveServer:
    url: str
    database_url: str
    app: object

    def session(self) -> Session:
        return Session(get_engine(self.database_url), expire_on_commit=False)


@contextmanager
def serve_demo(sqlite_template, tmp_path, **overrides) -> Iterator[LiveServer]:
    """Learnloop served on a free port, embedded mode (SQLite, in-process jobs), demo data loaded; `overrides`
    are settings."""
    path = tmp_path / "live.db"
    shutil.copy(sqlite_template, path)
    database_url = f"sqlite:///{path}"
    with Session(get_engine(database_url), expire_on_commit=False) as session:
        load_demo(session)
    settings = load_settings(database_url=database_url, secret_key="browser-test", redis_url=None, outbox_pump=True,
                             **overrides)
    with served(settings) as (url, app):
        yield LiveServer(url=url, database_url=database_url, app=app)


@pytest.fixture
def live_server(sqlite_template, tmp_path):
    with serve_demo(sqlite_template, tmp_path) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def person_page(browser):
    """A page in a browser context of its own: one more person, with their own cookies (close its `.context`)."""
    # bypass_csp lets the test inject axe-core into pages whose policy forbids inline scripts.
    context = browser.new_context(bypass_csp=True)
    context.set_default_timeout(10_000)
    return context.new_page()


@pytest.fixture
def page(browser):
    page = person_page(browser)
    yield page
    page.context.close()


def add_running_challenge(server: LiveServer, slug: str, title: str, missions: list[dict], badges: list[dict] = (),
                          enrol: tuple[str, ...] = ()) -> int:
    """A running challenge for the demo's platform team (started yesterday, six days to go) with these missions
    and badges (their columns); `enrol`: emails of people who joined it already. Returns its id."""
    with server.session() as session:
        team = session.exec(select(Team).where(Team.slug == "platform")).one()
        challenge = Challenge(slug=slug, title=title, status=ChallengeStatus.RUNNING,
                              starts_at=utcnow() - timedelta(days=1), ends_at=utcnow() + timedelta(days=6))
        session.add(challenge)
        session.flush()
        session.add(ChallengeTeam(challenge_id=challenge.id, team_id=team.id))
        session.add_all([Mission(challenge_id=challenge.id, **fields) for fields in missions])
        session.add_all([Badge(challenge_id=challenge.id, **fields) for fields in badges])
        for email in enrol:
            person = session.exec(select(User).where(User.email == email)).one()
            session.add(Enrolment(challenge_id=challenge.id, user_id=person.id, team_id=team.id))
        session.commit()
        return challenge.id


def sign_in(page, server: LiveServer, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real form, as a person would."""
    page.goto(f"{server.url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server.url}/dashboard")


def assert_accessible(page, rules: tuple[str, ...] = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")) -> None:
    """Run axe-core on the current page; fail listing each violation with the elements it found."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", list(rules)
    )
    violations = result["violations"]
    report = "\n".join(
        f"- {violation['id']} ({violation['impact']}): {violation['help']}\n    "
        + "\n    ".join(node["html"][:160] for node in violation["nodes"][:5])
        for violation in violations
    )
    assert not violations, f"accessibility violations on {page.url}:\n{report}"


def give_kudos(page, to: str = "") -> str:
    """Give kudos on the first feed item of the page whose button names `to` (any, if empty), as a person would;
    returns that item's element id once the page says it is done."""
    button = page.get_by_role("button", name=f"Give kudos to {to}".strip()).first
    item_id = page.locator("article.feed-item", has=button).first.get_attribute("id")
    button.click()
    page.locator(f"#{item_id}").get_by_text("you gave kudos").wait_for()
    return item_id


def open_mission(page, title: str) -> None:
    """Open a collapsed mission card and its "Complete" form, as a person would."""
    card = page.locator("article.mission-card", has=page.get_by_role("heading", name=title))
    card.locator("summary").first.click()
    card.get_by_role("button", name="Complete", exact=True).click()
