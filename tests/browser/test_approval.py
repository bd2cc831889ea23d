"""An employee completes a mission a lead must approve; the lead sends it back with feedback, the employee
resubmits, the lead approves, and the celebration appears on the employee's next page."""
from __future__ import annotations

from webapp.models import MissionApproval, MissionKind

from .conftest import add_running_challenge, assert_accessible, open_mission, person_page, sign_in


def add_approval_challenge(server) -> int:
    return add_running_challenge(server, "pair-week", "Pair week", enrol=("employee@example.com",), missions=[
        dict(slug="pair", title="Pair on a bug", kind=MissionKind.HELP, points=25, approval=MissionApproval.LEAD)])


def test_send_back_resubmit_approve_and_celebrate(browser, page, live_server):
    challenge_id = add_approval_challenge(live_server)
    challenge_url = f"{live_server.url}/play/challenges/{challenge_id}"
    sign_in(page, live_server, "employee@example.com")
    page.goto(challenge_url)
    open_mission(page, "Pair on a bug")
    page.get_by_label("What did you do?").fill("Paired with Sam on the flaky test.")
    page.get_by_role("button", name="Complete “Pair on a bug”").click()
    page.locator("#flash").get_by_text("waiting for approval").wait_for()
    page.reload()
    assert "Pair on a bug: waiting for approval" in page.locator("#my-evidence").inner_text()
    assert page.locator("#my-points").inner_text() == "0"

    lead = person_page(browser)
    sign_in(lead, live_server, "lead@example.com")
    lead.get_by_role("link", name="Approvals").click()
    assert "Paired with Sam on the flaky test." in lead.locator("main").inner_text()
    assert_accessible(lead)
    lead.get_by_label("Feedback: what would make it count?").fill("What did you two change? Link the fix.")
    lead.get_by_role("button", name="Send back Emma Employee's Pair on a bug").click()
    lead.get_by_text("Sent back with your feedback.").wait_for()

    page.goto(challenge_url)
    assert "What did you two change? Link the fix." in page.locator("#my-evidence").inner_text()
    assert_accessible(page)
    page.get_by_label("Your evidence, improved").fill("We made the clock injectable; the test is stable now.")
    page.get_by_label("Link (optional)").last.fill("https://git.example/fix/42")
    page.get_by_role("button", name="Send it again").click()
    page.get_by_text("Evidence sent again: waiting for approval.").wait_for()

    lead.goto(f"{live_server.url}/play/approvals")
    assert "We made the clock injectable" in lead.locator("main").inner_text()
    lead.get_by_role("button", name="Approve Emma Employee's Pair on a bug").click()
    lead.get_by_text("Approved: the points count now.").wait_for()
    lead.context.close()

    page.goto(challenge_url)
    celebration = page.locator("#celebrations")
    assert "Approved: Pair on a bug, +25 points." in celebration.inner_text()
    assert page.locator("#my-points").inner_text() == "25"
    assert_accessible(page)
    page.get_by_role("button", name="Got it").click()
    page.wait_for_url(challenge_url)
    assert page.locator("#celebrations").count() == 0
