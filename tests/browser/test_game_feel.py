"""Playing feels like a game and works on a phone: no page scrolls sideways at 390 px for any role, the pages
pass axe-core in light and dark, and completing a mission celebrates in the card, announced, calm under
reduced motion, with keyboard focus kept on that card."""
from __future__ import annotations

import pytest
from sqlmodel import select

from webapp.models import Challenge, LessonSummary, Team, User

from .conftest import assert_accessible, open_mission, sign_in
from .test_playing import add_challenge


def role_pages(server) -> dict[str, list[str]]:
    with server.session() as session:
        demo = session.exec(select(Challenge).where(Challenge.slug == "learning-from-mistakes")).one().id
        summary = session.exec(select(LessonSummary.id).order_by(LessonSummary.id.desc())).first()
        team = session.exec(select(Team.id)).first()
        teammate = session.exec(select(User.id).where(User.email == "ada@example.com")).one()
    play = [f"/play/challenges/{demo}", f"/play/challenges/{demo}/leaderboard", f"/play/challenges/{demo}/feed",
            "/play/points", "/library", "/reflection/prompts", "/profile", "/dashboard", f"/play/people/{teammate}"]
    return {
        "employee": play,
        "lead": [*play, "/review", f"/review/summaries/{summary}", "/reflection/team", "/play/approvals", "/monitoring/",
                 f"/monitoring/challenges/{demo}"],
        "admin": ["/dashboard", "/admin/challenges", f"/admin/challenges/{demo}", "/admin/teams", f"/admin/teams/{team}",
                  "/admin/users", "/admin/mail", "/admin/jobs", "/admin/llm-calls", "/credentials", "/monitoring/",
                  f"/monitoring/challenges/{demo}", "/review", "/library", f"/play/challenges/{demo}/leaderboard"],
    }


def sideways(page) -> int:
    """How many pixels the page is wider than the screen (0: nothing scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("role", ["employee", "lead", "admin"])
def test_no_page_scrolls_sideways_on_a_phone(browser, live_server, role):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server, f"{role}@example.com")
    wide = []
    for path in role_pages(live_server)[role]:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        if sideways(page) > 0:
            wide.append(f"{path}: {sideways(page)} px too wide")
    # The menu opens within the screen too.
    page.get_by_text("Menu", exact=True).click()
    page.get_by_role("link", name="Library").wait_for()
    assert sideways(page) == 0
    context.close()
    assert not wide, "\n".join(wide)


def test_a_points_history_fits_a_phone_and_still_names_each_challenge(browser, live_server):
    """Four columns did not fit 390 px (the table scrolled inside its box): the challenge moves under what
    earned the points there, and comes back as its own column on a wide screen."""
    person = role_pages(live_server)["employee"][8]
    for width, columns in ((390, ["When", "What", "Points"]), (1280, ["When", "Challenge", "What", "Points"])):
        context = browser.new_context(viewport={"width": width, "height": 844})
        page = context.new_page()
        sign_in(page, live_server, "employee@example.com")
        page.goto(live_server.url + person)
        table = page.locator("table.points-history")
        assert table.locator("th:visible").all_inner_texts() == columns
        assert table.evaluate("table => table.parentElement.scrollWidth - table.parentElement.clientWidth") == 0
        assert "A month of learning from mistakes" in table.locator("tbody tr").first.inner_text()
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_main_pages_pass_axe_in_light_and_dark(browser, live_server, scheme):
    context = browser.new_context(color_scheme=scheme, bypass_csp=True)
    page = context.new_page()
    pages = role_pages(live_server)
    for role in ("employee", "lead"):
        sign_in(page, live_server, f"{role}@example.com")
        for path in pages[role][:3] + ["/dashboard", "/play/points", pages[role][8]] + (pages[role][9:11] if role == "lead" else []):
            page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
            assert_accessible(page)
        page.get_by_role("button", name="Sign out").click()
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_admin_pages_pass_axe_in_light_and_dark(browser, live_server, scheme):
    """Every page of the admin's round, badge medallions and job tables included, in both colour schemes."""
    context = browser.new_context(color_scheme=scheme, bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server, "admin@example.com")
    failures = []
    for path in role_pages(live_server)["admin"]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        try:
            assert_accessible(page)
        except AssertionError as violation:
            failures.append(str(violation))
    context.close()
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_completing_celebrates_in_the_card_announced_with_focus_kept(browser, live_server, motion):
    challenge_id = add_challenge(live_server)
    context = browser.new_context(reduced_motion=motion, bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server, "employee@example.com")
    page.get_by_role("button", name="Join “Try a tool week”").click()
    page.wait_for_url(f"{live_server.url}/play/challenges/{challenge_id}")
    card_id = page.locator("article.mission-card").first.get_attribute("id")
    # Limits and points are on the closed card, before anyone types evidence.
    assert "+20 points" in page.locator(f"#{card_id} summary").first.inner_text()
    assert not page.get_by_label("What did you do?").is_visible()

    open_mission(page, "Try a new tool")
    page.get_by_label("What did you do?").fill("Tried the new profiler on the checkout service.")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the submit button, by keyboard

    celebration = page.locator(f"#{card_id} .celebration")
    celebration.wait_for()
    assert "Mission complete!" in celebration.inner_text()
    assert "First experiment" in celebration.locator(".moment-badge").inner_text()  # the badge has its own moment
    page.wait_for_function("document.querySelector('#%s .count-up').textContent === '20'" % card_id)
    # Announced: the page's polite live region says what happened.
    live = page.locator("#flash")
    assert live.get_attribute("aria-live") == "polite"
    assert "Mission completed: +20 points. Badge earned: First experiment!" in live.inner_text()
    # Keyboard focus stays on the completed mission's card.
    assert page.evaluate(f"document.activeElement.closest('#{card_id}') !== null")
    animation = celebration.evaluate("el => getComputedStyle(el).animationName")
    if motion == "reduce":
        assert animation == "none"
    else:
        assert animation == "ll-pop"
    assert_accessible(page)
    context.close()
