"""A lead reviews the demo draft end to end; an employee then finds the lesson in the library."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def test_lead_reviews_publishes_and_employee_finds_the_lesson(live_server, page):
    server = live_server
    sign_in(page, server, "lead@example.com")
    page.get_by_role("link", name="Review", exact=True).click()
    expect(page.get_by_role("heading", name="Review", level=1)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Platform").first.click()
    expect(page.locator("#summary-status")).to_have_text("draft")
    # Check a citation: the cited reflection's text sits beside the lesson, with its author's name.
    mistake = page.locator("#lesson-mistakes-0")
    expect(mistake).to_contain_text("forgot to pin the clock")
    expect(mistake.locator(".cited-reflection")).to_contain_text("Pairing on the flaky test")
    expect(page.get_by_text("nervous about asking for help")).to_have_count(0)  # a private reflection
    assert_accessible(page)

    page.get_by_role("button", name="Edit the lessons").click()
    field = page.get_by_label(re.compile(r"^Mistakes and what they taught, lesson 1"))
    field.fill("We forgot to pin the clock in tests: pin time in every test that reads it.")
    assert_accessible(page)
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.locator("#summary-status")).to_have_text("draft")
    expect(page.get_by_text("pin time in every test that reads it")).to_be_visible()

    page.get_by_label("Guidance for a new version (optional)").fill("Focus on what we would do differently.")
    page.get_by_role("button", name="Regenerate with this guidance").click()
    # The offline writer runs in-process; the polling fragment swaps in version 3 when it is written.
    expect(page.locator("#summary-status")).to_have_text("draft", timeout=15_000)
    expect(page.get_by_text("current version 3")).to_be_visible()
    expect(page.locator(".guidance")).to_contain_text("Focus on what we would do differently.")

    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("heading", name=re.compile("Compare versions"))).to_be_visible()
    assert_accessible(page)
    page.go_back()

    page.get_by_role("button", name="Approve this version").click()
    expect(page.locator("#summary-status")).to_have_text("approved")
    page.get_by_role("button", name="Publish to the library").click()
    expect(page.locator("#summary-status")).to_have_text("published")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, server, "employee@example.com")
    page.get_by_role("link", name="Library").click()
    expect(page.get_by_role("heading", name="New for you")).to_be_visible()
    page.get_by_label("Search the lessons").fill("flaky test")
    page.get_by_role("button", name="Search").click()
    hits = page.locator(".lesson-hit")
    expect(hits.first).to_contain_text("Pairing on the flaky test worked better than debugging alone.")
    assert_accessible(page)
    hits.first.get_by_role("link", name=re.compile("From the summary of Platform")).click()
    expect(page.get_by_role("heading", name=re.compile("Lessons of Platform"))).to_be_visible()
    assert_accessible(page)
