"""The privacy pages in a real browser: the reflection form says who reads what and what a model receives,
and a person chooses, with the keyboard, whether the organisation-wide library may name them."""
from __future__ import annotations

from sqlmodel import select

from webapp.models import Enrolment, PromptStatus, ReflectionPrompt, User

from .conftest import assert_accessible, sign_in

EMPLOYEE = "employee@example.com"


def ready_prompt(server) -> int:
    with server.session() as session:
        user = session.exec(select(User).where(User.email == EMPLOYEE)).one()
        enrolment = session.exec(select(Enrolment).where(Enrolment.user_id == user.id)).first()
        prompt = ReflectionPrompt(work_key=f"browser:{user.id}", user_id=user.id,
                                  challenge_id=enrolment.challenge_id, completion_id=None,
                                  status=PromptStatus.READY, writer="offline", text="**What happened?** Tell us.")
        session.add(prompt)
        session.commit()
        return prompt.id


def test_reflection_form_tells_who_reads_it_and_links_to_the_name_setting(page, live_server, tmp_path):
    prompt_id = ready_prompt(live_server)
    sign_in(page, live_server, EMPLOYEE)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/reflection/prompts/{prompt_id}")
        note = page.locator("#reflection-privacy")
        assert "never leaves Learnloop" in note.inner_text() and "pseudonym" in note.inner_text()
        page.screenshot(path=str(tmp_path / f"reflection-form-{width}.png"), full_page=True)
    assert_accessible(page)
    page.get_by_role("link", name="allow it").click()
    page.wait_for_url(f"{live_server.url}/library/my-name")


def test_a_person_agrees_to_be_named_with_the_keyboard(page, live_server, tmp_path):
    sign_in(page, live_server, EMPLOYEE)
    page.goto(f"{live_server.url}/library/my-name")
    assert page.get_by_label("Do not show my name (default)").is_checked()
    assert_accessible(page)
    page.get_by_label("Show my name", exact=True).focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save").focus()
    page.keyboard.press("Enter")
    page.get_by_text("Lessons in the library will show your name.").wait_for()  # after the redirect
    assert page.get_by_label("Show my name", exact=True).is_checked()
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(tmp_path / f"name-setting-{width}.png"), full_page=True)
    with live_server.session() as session:
        assert session.exec(select(User.show_name_in_library).where(User.email == EMPLOYEE)).one() is True
