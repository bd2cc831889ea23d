"""When a request fails, its message appears beside the form and what the person typed stays: the sign-in
form and a mission card."""
from __future__ import annotations

from sqlmodel import select

from webapp.auth.sessions import revoke_sessions
from webapp.models import User

from .conftest import assert_accessible, open_mission, sign_in
from .test_playing import add_challenge

EXPIRE_FORMS = """() => {
  document.querySelector('meta[name="csrf-token"]').content = 'expired';
  document.querySelectorAll('input[name="csrf_token"]').forEach((input) => { input.value = 'expired'; });
}"""


def test_an_expired_sign_in_form_keeps_what_was_typed(page, live_server):
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Email").fill("employee@example.com")
    page.get_by_label("Password").fill("my typed password")
    page.evaluate(EXPIRE_FORMS)
    page.get_by_role("button", name="Sign in").click()
    error = page.locator(".request-error")
    error.get_by_text("The form had expired").wait_for()
    assert page.get_by_label("Email").input_value() == "employee@example.com"
    assert page.get_by_label("Password").input_value() == "my typed password"
    # The message sits just before the form, which is still there to send again.
    assert page.evaluate("document.querySelector('.request-error').nextElementSibling.id") == "sign-in-form"
    assert_accessible(page)


def test_a_failed_completion_keeps_the_evidence_beside_the_card(page, live_server):
    challenge_id = add_challenge(live_server)
    sign_in(page, live_server, "employee@example.com")
    page.get_by_role("button", name="Join “Try a tool week”").click()
    page.wait_for_url(f"{live_server.url}/play/challenges/{challenge_id}")
    evidence = "Tried the new profiler on the checkout service."
    open_mission(page, "Try a new tool")
    page.get_by_label("What did you do?").fill(evidence)
    page.get_by_label("Link (optional)").fill("https://example.com/notes")

    # An admin resets the password meanwhile: every session of the account ends.
    with live_server.session() as session:
        employee = session.exec(select(User).where(User.email == "employee@example.com")).one()
        revoke_sessions(employee)
        session.add(employee)
        session.commit()
    page.get_by_role("button", name="Complete “Try a new tool”").click()
    card_error = page.locator(".mission-card .request-error")
    card_error.get_by_text("You are signed out").wait_for()
    assert card_error.get_by_role("link", name="Sign in again (opens a new tab)").is_visible()
    assert page.get_by_label("What did you do?").input_value() == evidence
    assert page.get_by_label("Link (optional)").input_value() == "https://example.com/notes"
    assert page.locator(".mission-card form").count() == 1
    assert_accessible(page)

    page.evaluate(EXPIRE_FORMS)
    page.get_by_role("button", name="Complete “Try a new tool”").click()
    card_error.get_by_text("The form had expired").wait_for()
    assert page.get_by_label("What did you do?").input_value() == evidence
