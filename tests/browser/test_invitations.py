"""An admin invites a CSV of three people; one follows the emailed link, sets a password and plays; another
resets a forgotten password through the emailed link. Mail goes through a real SMTP server."""
from __future__ import annotations

import re
import time

import pytest

from .conftest import assert_accessible, open_mission, sign_in
from .test_playing import add_challenge

PEOPLE_CSV = """email,name,team,role
uma.newcomer@example.com,Uma Invited,Platform,employee
vic.newcomer@example.com,Vic Invited,Platform,employee
wen.newcomer@example.com,Wen Invited,Mobile,employee
"""


@pytest.fixture
def jobs_share_the_secret(monkeypatch):
    """The in-process jobs read SECRET_KEY from the environment, as a worker would: the live server's key."""
    from webapp.settings import get_settings

    monkeypatch.setenv("SECRET_KEY", "browser-test")
    get_settings.cache_clear()


def wait_for_mail(smtp_server, to: str, subject: str, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in smtp_server.messages():
            if message["To"] == to and message["Subject"] == subject:
                return message
        time.sleep(0.2)
    raise AssertionError(f"no {subject!r} to {to} within {timeout} s")


def link_in(message) -> str:
    return re.search(r"^(http://\S+)$", message.get_body(("plain",)).get_content(), re.MULTILINE).group(1)


def test_invited_by_csv_one_plays_another_resets_a_forgotten_password(
        browser, page, smtp_server, jobs_share_the_secret, live_server, tmp_path):
    challenge_id = add_challenge(live_server)
    sign_in(page, live_server, "admin@example.com")
    page.goto(f"{live_server.url}/admin/users/import")
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(PEOPLE_CSV)
    page.get_by_label("CSV file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Import and invite").click()
    page.get_by_role("heading", name="Done").wait_for()
    assert "3 invited, 0 skipped, 0 rejected." in page.locator("#import-progress [role=status]").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="See who has not accepted yet").click()
    assert page.locator("#user-table").get_by_text("uma.newcomer@example.com").count() == 1
    assert_accessible(page)

    # Uma follows her link, chooses a password and lands on the dashboard, in her team's challenge.
    uma = browser.new_context(bypass_csp=True)
    uma_page = uma.new_page()
    uma_page.goto(link_in(wait_for_mail(smtp_server, "uma.newcomer@example.com", "You are invited to Learnloop")))
    assert_accessible(uma_page)
    uma_page.get_by_label("New password").fill("uma's own password")
    uma_page.get_by_label("The same password again").fill("uma's own password")
    uma_page.get_by_role("button", name="Set my password and start").click()
    uma_page.wait_for_url(f"{live_server.url}/dashboard")
    assert "Welcome to Learnloop, Uma Invited." in uma_page.locator("#flash").inner_text()
    uma_page.get_by_role("button", name="Join “Try a tool week”").click()
    uma_page.wait_for_url(f"{live_server.url}/play/challenges/{challenge_id}")
    open_mission(uma_page, "Try a new tool")
    uma_page.get_by_label("What did you do?").fill("Tried the new profiler.")
    uma_page.get_by_role("button", name="Complete “Try a new tool”").click()
    uma_page.locator("#my-badges").get_by_text("First experiment").wait_for()
    assert uma_page.locator("#my-points").inner_text() == "20"
    uma.close()

    # Vic accepts too, later forgets the password, and resets it through the emailed link.
    vic = browser.new_context(bypass_csp=True)
    vic_page = vic.new_page()
    vic_page.goto(link_in(wait_for_mail(smtp_server, "vic.newcomer@example.com", "You are invited to Learnloop")))
    vic_page.get_by_label("New password").fill("vic's first password")
    vic_page.get_by_label("The same password again").fill("vic's first password")
    vic_page.get_by_role("button", name="Set my password and start").click()
    vic_page.wait_for_url(f"{live_server.url}/dashboard")
    vic_page.get_by_role("button", name="Sign out").click()
    vic_page.get_by_role("link", name="Forgot your password?").click()
    assert_accessible(vic_page)
    vic_page.get_by_label("Email").fill("vic.newcomer@example.com")
    vic_page.get_by_role("button", name="Send me a link").click()
    assert "If an account uses vic.newcomer@example.com" in vic_page.locator("#reset-sent").inner_text()
    vic_page.goto(link_in(wait_for_mail(smtp_server, "vic.newcomer@example.com", "Reset your Learnloop password")))
    vic_page.get_by_label("New password").fill("vic's second password")
    vic_page.get_by_label("The same password again").fill("vic's second password")
    vic_page.get_by_role("button", name="Set the new password").click()
    vic_page.wait_for_url(f"{live_server.url}/login")
    sign_in(vic_page, live_server, "vic.newcomer@example.com", "vic's second password")
    vic.close()
