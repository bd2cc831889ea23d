"""A person makes an API token on their profile, sees it once, uses it, and revokes it; the API docs page loads."""
from __future__ import annotations

import pytest
import requests

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def test_a_token_is_shown_once_works_and_stops_when_revoked(page, live_server):
    sign_in(page, live_server, "employee@example.com")
    page.goto(f"{live_server.url}/profile#api-tokens")
    page.get_by_role("heading", name="API tokens").wait_for()
    assert page.get_by_text("You have no token.").is_visible()

    page.get_by_label("Token name").fill("")
    page.get_by_role("button", name="Make a token").click()
    page.get_by_text("Give the token a name").wait_for()  # refused beside the field, nothing made

    page.get_by_label("Token name").fill("LMS sync")
    page.get_by_label("Scope").select_option("write")
    page.get_by_label("Expires after (days)").fill("30")
    page.get_by_role("button", name="Make a token").click()
    secret = page.get_by_label("Token", exact=True).input_value()
    assert secret.startswith("llp_")
    assert_accessible(page)

    answer = requests.get(f"{live_server.url}/api/v1/me", headers={"Authorization": f"Bearer {secret}"}, timeout=10)
    assert answer.status_code == 200 and answer.json()["token_scope"] == "write"

    page.goto(f"{live_server.url}/profile")
    assert secret not in page.content()  # shown once: never again
    row = page.get_by_role("row", name="LMS sync")
    assert "active" in row.inner_text() and secret[4:10] in row.inner_text()
    row.get_by_role("button", name="Revoke the token LMS sync").click()
    page.get_by_text("is revoked").wait_for()
    assert "revoked" in page.get_by_role("row", name="LMS sync").inner_text()
    answer = requests.get(f"{live_server.url}/api/v1/me", headers={"Authorization": f"Bearer {secret}"}, timeout=10)
    assert answer.status_code == 401 and answer.headers["Content-Type"] == "application/problem+json"


def test_the_api_docs_page_shows_the_routes_from_local_files(browser, live_server):
    context = browser.new_context()  # the real CSP applies: Swagger UI must run from files served here
    context.set_default_timeout(15_000)
    page = context.new_page()
    outside = []
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith(live_server.url) and not request.url.startswith("data:") else None)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server.url}/api/v1/docs")
    page.get_by_text("/api/v1/missions/{mission_id}/completions").first.wait_for()
    assert outside == []
    assert not [error for error in errors if "Content Security Policy" in error], errors
    context.close()
