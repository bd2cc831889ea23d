"""Names in the library: the team reads lessons as written, the organisation reads them without the names of
people who did not agree; Markdown exports are plain, escaped text whatever a lesson holds."""
from html import unescape

from markdown_it import MarkdownIt
from sqlmodel import select

from tests.library.conftest import publish_texts
from tests.security.xss_corpus import PAYLOADS, injections
from webapp.models import User

NAMED = "Ada Lovelace showed Bob how to pin the clock; Lovelace's checklist helped Olga too."


def publish_named(world, draft):
    publish_texts(world, draft, {"key_lessons": [(NAMED, [world.shared[0].id])]})


def test_outside_the_team_names_are_hidden_unless_the_person_agreed(world, draft, auth, client):
    publish_named(world, draft)
    auth.login(world.other_lead.email)  # another team's lead: an organisation-wide reader
    for url in (f"/library/summaries/{draft.id}", "/library?q=checklist"):
        html = unescape(client.get(url).get_data(as_text=True))
        assert "a colleague showed a colleague how to pin the clock; a colleague's checklist helped a colleague too." in html
        assert "Lovelace" not in html and "Bob" not in html
    auth.logout()
    world.session.get(User, world.ada.id).show_name_in_library = True
    world.session.commit()
    auth.login(world.other_lead.email)
    html = unescape(client.get(f"/library/summaries/{draft.id}").get_data(as_text=True))
    assert "Ada Lovelace showed a colleague how to pin the clock; Lovelace's checklist helped a colleague too." in html


def test_the_team_and_admins_read_lessons_as_written(world, draft, auth, client):
    publish_named(world, draft)
    for person in (world.bob, world.lead, world.admin):
        auth.login(person.email)
        assert NAMED in unescape(client.get(f"/library/summaries/{draft.id}").get_data(as_text=True))
        assert NAMED in unescape(client.get("/library?q=checklist").get_data(as_text=True))
        auth.logout()


def test_exports_name_only_people_who_agreed_even_for_the_team(world, draft, auth, client):
    publish_named(world, draft)
    auth.login(world.bob.email)  # a file travels further than the team
    text = client.get(f"/library/summaries/{draft.id}/export.md").get_data(as_text=True)
    assert "Lovelace" not in text and "a colleague showed a colleague" in text


def test_a_person_chooses_to_be_named_in_their_own_small_form(world, auth, client):
    auth.login(world.ada.email)
    page = client.get("/library/my-name").get_data(as_text=True)
    assert 'value="no" checked' in page  # not named unless they agree
    response = auth.post("/library/my-name", {"show_name": "yes"}, page="/library/my-name")
    assert response.status_code == 303
    world.session.expire_all()
    assert world.session.get(User, world.ada.id).show_name_in_library is True
    assert world.session.get(User, world.bob.id).show_name_in_library is False
    auth.post("/library/my-name", {"show_name": "no"}, page="/library/my-name")
    world.session.expire_all()
    assert world.session.get(User, world.ada.id).show_name_in_library is False


def test_the_setting_refuses_a_post_without_csrf(world, auth, client):
    auth.login(world.ada.email)
    assert client.post("/library/my-name", data={"show_name": "yes"}).status_code == 400
    world.session.expire_all()
    assert world.session.exec(select(User.show_name_in_library).where(User.id == world.ada.id)).one() is False


def test_markdown_export_of_hostile_lessons_renders_as_plain_text(world, draft, auth, client):
    publish_texts(world, draft, {"key_lessons": [(payload, [world.shared[0].id]) for _, payload in PAYLOADS[:5]],
                                 "practices": [(payload, [world.shared[0].id]) for _, payload in PAYLOADS[5:10]],
                                 "mistakes": [(payload, [world.shared[0].id]) for _, payload in PAYLOADS[10:15]],
                                 "open_questions": [(payload, [world.shared[0].id]) for _, payload in PAYLOADS[15:20]],
                                 "next_experiments": [(payload, [world.shared[0].id]) for _, payload in PAYLOADS[20:25]]})
    auth.login(world.bob.email)
    text = client.get(f"/library/summaries/{draft.id}/export.md").get_data(as_text=True)
    # Rendered by a permissive renderer (raw HTML allowed), the file still holds no tag, image or link.
    html = MarkdownIt("commonmark", {"html": True}).render(text)
    assert injections(html) == []
    assert "<a " not in html and "<img" not in html and "<script" not in html
    assert text.count("\n- ") == 25  # every lesson is one list item
    assert "\u202e" not in text and "\u200b" not in text


def test_every_payload_of_the_corpus_exports_as_escaped_text():
    from webapp.library.export import _line

    for name, payload in PAYLOADS:
        html = MarkdownIt("commonmark", {"html": True}).render(f"- {_line(payload)}")
        assert injections(html) == [], name
        assert "<a " not in html and "<img" not in html, name
