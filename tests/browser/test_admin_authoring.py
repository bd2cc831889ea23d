"""An admin sets up a challenge from a template in the browser, and employees of its team see it."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def test_admin_imports_adjusts_publishes_and_employee_sees_it(browser, live_server):
    admin = browser.new_context(bypass_csp=True)
    admin.set_default_timeout(10_000)
    page = admin.new_page()
    sign_in(page, live_server, "admin@example.com")
    page.get_by_role("link", name="Challenges").click()
    page.wait_for_url(f"{live_server.url}/admin/challenges")
    assert_accessible(page)

    page.get_by_label("Starts on (empty: next Monday)").nth(2).fill(datetime.now(UTC).date().isoformat())
    page.get_by_role("button", name="Use “New-tool exploration”").click()
    page.wait_for_url(f"{live_server.url}/admin/challenges/*")
    assert page.get_by_role("heading", level=1).inner_text().startswith("New-tool exploration")
    assert_accessible(page)

    # Inline edit: the row turns into a form, a bad value is answered in place, then the row comes back.
    row = page.locator("tr", has=page.get_by_role("rowheader", name="Use it on real work"))
    row.get_by_role("button", name="Edit Use it on real work").click()
    form = page.get_by_role("form", name="Edit Use it on real work")
    form.get_by_label("Points (0 to 1000)").fill("2000")
    form.get_by_role("button", name="Save mission").click()
    page.get_by_text("Input should be less than or equal to 1000").wait_for()
    assert_accessible(page)
    form.get_by_label("Points (0 to 1000)").fill("30")
    form.get_by_role("button", name="Save mission").click()
    page.locator("tr", has=page.get_by_role("rowheader", name="Use it on real work")).get_by_role(
        "cell", name="30", exact=True).wait_for()

    # Keyboard-friendly reordering: the moved mission's button keeps the focus.
    page.get_by_role("button", name="Move Use it on real work up").click()
    page.locator("#missions-section tbody tr").first.get_by_role("rowheader", name="Use it on real work").wait_for()

    page.get_by_label("Add a team").select_option(label="Platform")
    page.get_by_role("button", name="Add team").click()
    page.locator("#teams li", has_text="Platform").wait_for()

    page.get_by_role("button", name="Publish").click()
    page.get_by_role("status").filter(has_text="is now").wait_for()
    assert page.locator("h1 .status").inner_text() in ("published", "running")
    admin.close()

    employee = browser.new_context(bypass_csp=True)
    employee.set_default_timeout(10_000)
    page = employee.new_page()
    sign_in(page, live_server, "employee@example.com")
    assert page.get_by_text("New-tool exploration").first.is_visible()
    employee.close()


def test_admin_people_pages_are_accessible(page, live_server):
    sign_in(page, live_server, "admin@example.com")
    for path in ("/admin/teams", "/admin/teams/1", "/admin/users", "/admin/users/import"):
        page.goto(f"{live_server.url}{path}")
        assert_accessible(page)
    page.goto(f"{live_server.url}/admin/challenges")
    page.get_by_label("Title").last.fill("Bad dates")
    page.get_by_role("button", name="Create draft").click()
    page.get_by_text("is required").first.wait_for()
    assert_accessible(page)
