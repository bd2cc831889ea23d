import pytest

from .conftest import assert_accessible, sign_in


@pytest.mark.parametrize("email", ["admin@example.com", "lead@example.com", "employee@example.com"])
def test_each_demo_account_signs_in_and_lands_on_dashboard(page, live_server, email):
    sign_in(page, live_server, email)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Hello, ")
    assert page.get_by_role("button", name="Sign out").is_visible()


def test_wrong_password_shows_message_in_place(page, live_server):
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Email").fill("employee@example.com")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "Email or password is incorrect." in alert.inner_text()
    assert page.url.endswith("/login")


def test_sign_out_returns_to_sign_in(page, live_server):
    sign_in(page, live_server, "employee@example.com")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/login")
    assert "You are signed out." in page.get_by_role("status").inner_text()


def test_skip_link_is_first_on_keyboard(page, live_server):
    page.goto(f"{live_server.url}/login")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to main content"


def test_sign_in_and_dashboard_pages_are_accessible(page, live_server):
    page.goto(f"{live_server.url}/login")
    assert_accessible(page)
    sign_in(page, live_server, "admin@example.com")
    assert_accessible(page)
    page.goto(f"{live_server.url}/admin/jobs")
    assert_accessible(page)
