"""An employee joins a challenge, completes a mission and sees points and a badge arrive without a reload,
then gives kudos to a teammate; the playing pages pass the accessibility check."""
from __future__ import annotations

from sqlmodel import select

from webapp.models import BadgeRule, Challenge, MissionKind

from .conftest import add_running_challenge, assert_accessible, give_kudos, open_mission, sign_in


def add_challenge(server) -> int:
    """A running challenge for the demo employee's team, which nobody has joined yet."""
    return add_running_challenge(
        server, "try-a-tool", "Try a tool week",
        missions=[dict(slug="try", title="Try a new tool", kind=MissionKind.EXPERIMENT, points=20,
                       instructions="Use a tool you never used.")],
        badges=[dict(slug="first", name="First experiment", rule=BadgeRule.MISSIONS_COMPLETED,
                     params={"threshold": 1})])


def test_join_complete_see_points_and_badge_then_give_kudos(page, live_server):
    challenge_id = add_challenge(live_server)
    sign_in(page, live_server, "employee@example.com")
    assert_accessible(page)

    page.get_by_role("button", name="Join “Try a tool week”").click()
    page.wait_for_url(f"{live_server.url}/play/challenges/{challenge_id}")
    assert "You joined the challenge" in page.get_by_role("status").first.inner_text()
    assert_accessible(page)

    page.evaluate("window.noReloadMarker = 'still here'")
    open_mission(page, "Try a new tool")
    page.get_by_label("What did you do?").fill("Tried the new profiler on the checkout service.")
    page.get_by_role("button", name="Complete “Try a new tool”").click()
    page.locator("#my-badges").get_by_text("First experiment").wait_for()
    assert page.locator("#my-points").inner_text() == "20"
    assert "Mission completed: +20 points. Badge earned: First experiment!" in page.locator("#flash").inner_text()
    assert page.evaluate("window.noReloadMarker") == "still here"  # swapped in by htmx, not a page load
    assert_accessible(page)

    with live_server.session() as session:
        demo = session.exec(select(Challenge).where(Challenge.slug == "learning-from-mistakes")).one()
    page.goto(f"{live_server.url}/play/challenges/{demo.id}/feed")
    assert_accessible(page)
    page.evaluate("window.noReloadMarker = 'still here'")
    item_id = give_kudos(page)
    assert page.locator(f"#{item_id}-kudos").inner_text() == "1 kudos"
    assert page.evaluate("window.noReloadMarker") == "still here"

    page.goto(f"{live_server.url}/play/challenges/{demo.id}/leaderboard")
    assert page.locator("#team-board tbody tr").count() == 6
    assert_accessible(page)
