"""An admin corrects a person's points in the browser and moves them to another team; the person reads why."""
from __future__ import annotations

import os

import pytest

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("LEARNLOOP_SCREENSHOTS")  # a folder: save each page at desktop and phone width there


def _look(page, name: str) -> None:
    assert_accessible(page)
    if SHOTS:
        for width, height in ((1280, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=os.path.join(SHOTS, f"{name}-{width}.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})


def test_admin_corrects_points_and_the_person_reads_why(browser, live_server):
    admin = browser.new_context(bypass_csp=True)
    admin.set_default_timeout(10_000)
    page = admin.new_page()
    sign_in(page, live_server, "admin@example.com")
    page.goto(f"{live_server.url}/admin/users?q=employee@example.com")
    page.get_by_role("link", name="Points of Emma Employee").click()
    page.get_by_role("heading", name="Points of Emma Employee").wait_for()
    _look(page, "admin-points")

    page.get_by_label("Challenge").select_option(index=1)
    page.get_by_label("Points to add (negative to take away)").fill("5")
    page.get_by_role("button", name="Record the correction").click()
    page.get_by_text("Say why: the person sees this reason").wait_for()
    assert page.get_by_label("Points to add (negative to take away)").input_value() == "5"  # input kept
    _look(page, "admin-points-refused")
    page.get_by_label("Reason").fill("The demo talk was counted twice")
    page.get_by_role("button", name="Record the correction").click()
    page.get_by_role("cell", name="Correction by Alex Admin: The demo talk was counted twice").wait_for()

    page.goto(f"{live_server.url}/admin/adjustments")
    page.get_by_role("cell", name="The demo talk was counted twice").wait_for()
    _look(page, "admin-adjustments")

    page.goto(f"{live_server.url}/admin/teams")
    page.get_by_role("link", name="Platform").click()
    _look(page, "admin-team")
    admin.close()

    person = browser.new_context(bypass_csp=True)
    person.set_default_timeout(10_000)
    mine = person.new_page()
    sign_in(mine, live_server, "employee@example.com")
    mine.get_by_role("link", name="Your points history").click()
    mine.get_by_role("cell", name="Correction by Alex Admin: The demo talk was counted twice").wait_for()
    assert mine.get_by_role("cell", name="+5", exact=True).count() == 1
    _look(mine, "my-points")
    person.close()
