"""An employee joins a challenge, completes a mission and sees points and a badge arrive without a reload,
then gives kudos to a teammate; the playing pages pass the accessibility check."""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from webapp.models import (
    Badge,
    BadgeRule,
    Challenge,
    ChallengeStatus,
    ChallengeTeam,
    Mission,
    MissionKind,
    Team,
    utcnow,
)

from .conftest import assert_accessible, open_mission, sign_in


def add_challenge(server) -> int:
    """A running challenge for the demo employee's team, which nobody has joined yet."""
    with server.session() as session:
        team = session.exec(select(Team).where(Team.slug == "platform")).one()
        challenge = Challenge(slug="try-a-tool", title="Try a tool week", status=ChallengeStatus.RUNNING,
                              starts_at=utcnow() - timedelta(days=1), ends_at=utcnow() + timedelta(days=6))
        session.add(challenge)
        session.flush()
        session.add(ChallengeTeam(challenge_id=challenge.id, team_id=team.id))
        session.add(Mission(challenge_id=challenge.id, slug="try", title="Try a new tool", kind=MissionKind.EXPERIMENT,
                            points=20, instructions="Use a tool you never used."))
        session.add(Badge(challenge_id=challenge.id, slug="first", name="First experiment",
                          rule=BadgeRule.MISSIONS_COMPLETED, params={"threshold": 1}))
        session.commit()
        return challenge.id


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
    kudos_button = page.get_by_role("button", name="Give kudos to").first
    item = page.locator("article.feed-item", has=kudos_button).first
    item_id = item.get_attribute("id")
    page.evaluate("window.noReloadMarker = 'still here'")
    kudos_button.click()
    page.locator(f"#{item_id}").get_by_text("you gave kudos").wait_for()
    assert page.locator(f"#{item_id}-kudos").inner_text() == "1 kudos"
    assert page.evaluate("window.noReloadMarker") == "still here"

    page.goto(f"{live_server.url}/play/challenges/{demo.id}/leaderboard")
    assert page.locator("#team-board tbody tr").count() == 6
    assert_accessible(page)
