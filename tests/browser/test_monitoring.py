"""An admin opens the programme dashboard: charts drawn by Chart.js, each with its table; axe finds nothing."""
from __future__ import annotations

import pytest

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

DRAWN = "(canvas) => window.Chart !== undefined && Chart.getChart(canvas) !== undefined"


def test_admin_reads_the_dashboard_charts_and_tables(page, live_server):
    sign_in(page, live_server, "admin@example.com")
    page.get_by_role("link", name="Programme").click()
    page.wait_for_url(f"{live_server.url}/monitoring/")
    page.get_by_role("link", name="A month of learning from mistakes").click()
    funnel = page.locator('canvas[data-chart="chart-funnel-data"]')
    page.wait_for_function(DRAWN, arg=funnel.element_handle())
    assert page.get_by_role("img", name="Chart: Participation funnel").count() == 1
    table = page.get_by_role("table", name="Participation funnel: people at each step")
    assert table.get_by_role("rowheader", name="Enrolled").is_visible()
    assert_accessible(page)

    # Filtering swaps the results in with htmx, and the new charts are drawn too.
    page.get_by_label("Team", exact=True).select_option(label="Platform")
    page.get_by_role("button", name="Show figures").click()
    page.wait_for_url("**team=*")
    teams = page.get_by_role("table", name="Teams: points, completions, active members and reflection rate")
    teams.get_by_role("rowheader", name="Platform").wait_for()
    assert teams.get_by_role("rowheader").count() == 1
    page.wait_for_function(DRAWN, arg=page.locator('canvas[data-chart="chart-teams-data"]').element_handle())
    assert_accessible(page)


def test_participant_rates_the_skills_an_admin_named(browser, live_server):
    admin = browser.new_context(bypass_csp=True)
    page = admin.new_page()
    sign_in(page, live_server, "admin@example.com")
    page.goto(f"{live_server.url}/monitoring/challenges/1/skills")
    page.get_by_label("Skills, one per line").fill("Learning from mistakes\nGiving feedback")
    page.get_by_role("button", name="Save skills").click()
    page.get_by_role("status").filter(has_text="Skills saved.").wait_for()
    assert_accessible(page)
    admin.close()

    employee = browser.new_context(bypass_csp=True)
    page = employee.new_page()
    sign_in(page, live_server, "employee@example.com")
    page.goto(f"{live_server.url}/challenges/1/self-assessment?phase=before")
    group = page.get_by_role("group", name="Giving feedback")
    group.get_by_label("3 – getting there").check()
    assert group.get_by_label("3 – getting there").is_checked()
    assert_accessible(page)
    page.get_by_role("group", name="Learning from mistakes").get_by_label("2 – a little").check()
    page.get_by_role("button", name="Save my ratings").click()
    page.get_by_text("your self-assessment is saved").wait_for()
    employee.close()
