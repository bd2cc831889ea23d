"""In the browser: an admin maps a provider group to a team; a new person signs in through the real OpenID
provider, lands in that team, and their browser's time zone is taken; profile pages at desktop and phone width."""
from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
from sqlmodel import Session, select

from webapp.db import get_engine
from webapp.demo import DEMO_PASSWORD, load_demo
from webapp.models import Membership, Team, User
from webapp.settings import load_settings

from ..support import served
from .conftest import LiveServer, assert_accessible

SCREENSHOTS = Path(__file__).resolve().parents[2] / "instance" / "screenshots"


@pytest.fixture
def sso_server(sqlite_template, tmp_path, oidc_provider):
    """Learnloop with demo data and single sign-on through the test provider."""
    path = tmp_path / "live.db"
    shutil.copy(sqlite_template, path)
    database_url = f"sqlite:///{path}"
    with Session(get_engine(database_url), expire_on_commit=False) as session:
        load_demo(session)
    settings = load_settings(database_url=database_url, secret_key="browser-test", redis_url=None, outbox_pump=True,
                             oidc_issuer=oidc_provider.issuer, oidc_client_id="learnloop",
                             oidc_client_secret="s3cret")
    with served(settings) as (url, app):
        yield LiveServer(url=url, database_url=database_url, app=app)


def _password_sign_in(page, server, email):
    page.goto(f"{server.url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{server.url}/dashboard")


def _shoot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_person_signs_in_through_the_provider_and_lands_in_their_groups_team(browser, sso_server, oidc_provider):
    admin_context = browser.new_context(bypass_csp=True)
    admin = admin_context.new_page()
    admin.set_default_timeout(10_000)
    _password_sign_in(admin, sso_server, "admin@example.com")
    admin.goto(f"{sso_server.url}/admin/users")
    admin.get_by_role("link", name="Single sign-on groups").click()
    admin.get_by_label("Group at the identity provider").fill("engineering")
    admin.get_by_label("People in this group become").select_option(label="Member of the team")
    admin.get_by_label("Team", exact=True).select_option(label="Platform")
    admin.get_by_role("button", name="Add mapping").click()
    admin.get_by_role("table", name="Groups mapped to teams and roles").get_by_text("engineering", exact=True).wait_for()
    assert_accessible(admin)
    _shoot(admin, "group-mappings")
    admin_context.close()

    subject = f"nora-{uuid.uuid4().hex[:8]}"
    oidc_provider.set_user(subject, email=f"{subject}@example.com", email_verified=True, name="Nora Newcomer",
                           groups=["engineering"])
    context = browser.new_context(bypass_csp=True, timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{sso_server.url}/login")
    page.get_by_role("button", name="Sign in with your organisation's account").click()
    page.get_by_placeholder("sub").first.fill(subject)  # the provider's own sign-in page
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{sso_server.url}/dashboard")
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, Nora Newcomer"
    assert page.get_by_text("Employee · Platform").is_visible()  # the team its group maps to
    # The tiny script told the server the browser's zone on this first page.
    page.wait_for_selector("#timezone-detect[data-done='true']", state="attached")

    with Session(get_engine(sso_server.database_url)) as session:
        user = session.exec(select(User).where(User.email == f"{subject}@example.com")).one()
        teams = session.exec(select(Team.name).join(Membership).where(Membership.user_id == user.id)).all()
        assert teams == ["Platform"]
        assert (user.timezone, user.timezone_chosen) == ("Asia/Tokyo", True)

    page.get_by_role("link", name="Profile").click()
    assert page.get_by_label("Time zone").input_value() == "Asia/Tokyo"
    assert_accessible(page)
    _shoot(page, "profile")
    page.get_by_label("Display name").fill("Nora N.")
    page.get_by_label("Show my name on leaderboards").uncheck()
    page.get_by_role("button", name="Save profile").click()
    page.get_by_text("Your profile is saved.").wait_for()
    assert page.get_by_label("Display name").input_value() == "Nora N."
    assert not page.get_by_label("Show my name on leaderboards").is_checked()
    context.close()
