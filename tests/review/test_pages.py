"""Review pages route by route: who may see and do what, the draft beside its sources, conflicts, comparing."""
import re

import pytest
from sqlmodel import select

from webapp.models import LessonSummary, LessonSummaryVersion, SummaryStatus

from .conftest import PRIVATE_BODY, SHARED


def path(summary, suffix=""):
    return f"/review/summaries/{summary.id}{suffix}"


def revision_on(html):
    return re.search(r'name="revision" value="(\d+)"', html).group(1)


READ_ROUTES = ["", "/versions/1", "/compare?old=1&new=1", "/edit"]
WRITE_ROUTES = ["/approve", "/publish", "/reject", "/regenerate", "/edit"]


@pytest.mark.parametrize("suffix", READ_ROUTES)
def test_lead_of_another_team_and_employees_cannot_read_a_draft(world, draft, auth, client, suffix):
    auth.login(world.other_lead.email)
    assert client.get(path(draft, suffix)).status_code == 404
    auth.logout()
    auth.login(world.ada.email)  # a member of the team, but not its lead
    assert client.get(path(draft, suffix)).status_code == 403


@pytest.mark.parametrize("suffix", WRITE_ROUTES)
def test_lead_of_another_team_and_employees_cannot_change_a_draft(world, draft, auth, suffix):
    data = {"revision": str(draft.revision), "reason": "no", "guidance": "x"}
    auth.login(world.other_lead.email)
    assert auth.post(path(draft, suffix), data).status_code == 404
    auth.logout()
    auth.login(world.ada.email)
    assert auth.post(path(draft, suffix), data).status_code == 403
    world.session.expire_all()
    summary = world.session.get(LessonSummary, draft.id)
    assert (summary.status, summary.revision) == (SummaryStatus.DRAFT, draft.revision)


def test_posts_without_csrf_token_are_refused(world, draft, auth, client):
    auth.login(world.lead.email)
    assert client.post(path(draft, "/approve"), data={"revision": str(draft.revision)}).status_code == 400
    world.session.expire_all()
    assert world.session.get(LessonSummary, draft.id).status == SummaryStatus.DRAFT


def test_queue_lists_only_my_teams_newest_first_and_all_for_admin(world, draft, auth, client):
    other = world.draft(world.other_team)
    newer = world.draft(key="newer")
    auth.login(world.lead.email)
    html = client.get("/review").get_data(as_text=True)
    assert html.index(path(newer)) < html.index(path(draft))
    assert path(other) not in html
    auth.logout()
    auth.login(world.admin.email)
    html = client.get("/review").get_data(as_text=True)
    assert path(other) in html and path(draft) in html
    assert path(other) not in client.get("/review?status=published").get_data(as_text=True)
    auth.logout()
    auth.login(world.ada.email)
    assert client.get("/review").status_code == 403


def test_draft_shows_each_lesson_beside_the_shared_reflections_it_cites(world, draft, auth, client):
    auth.login(world.lead.email)
    html = client.get(path(draft)).get_data(as_text=True)
    assert "Cited reflections" in html
    assert "Ada Lovelace" in html and "Bob Builder" in html  # authors mapped back to names
    assert SHARED["bob"].replace("'", "&#39;") in html
    assert PRIVATE_BODY not in html
    assert "Approve this version" in html and "Regenerate with this guidance" in html


def test_model_text_is_escaped_on_the_draft_page(world, draft, auth, client):
    version = world.session.exec(select(LessonSummaryVersion)).one()
    content = dict(version.content)
    content["key_lessons"] = [{"text": "<script>alert(1)</script><img src=x onerror=alert(2)>",
                               "citations": [world.shared[0].id]}]
    version.content = content
    world.session.add(version)
    world.session.commit()
    auth.login(world.lead.email)
    html = client.get(path(draft)).get_data(as_text=True)
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_citation_that_is_not_a_shared_reflection_of_the_team_is_not_shown(world, draft, auth, client):
    version = world.session.exec(select(LessonSummaryVersion)).one()
    content = dict(version.content)
    content["key_lessons"] = [{"text": "A lesson citing a private reflection.", "citations": [world.private.id]}]
    version.content = content
    world.session.add(version)
    world.session.commit()
    auth.login(world.lead.email)
    html = client.get(path(draft)).get_data(as_text=True)
    assert PRIVATE_BODY not in html
    assert f"not shown: #{world.private.id}" in html


def test_edit_form_saves_a_new_version(world, draft, auth, client):
    auth.login(world.lead.email)
    form = client.get(path(draft, "/edit")).get_data(as_text=True)
    texts = re.findall(r'<textarea id="(\w+)-(\d+)" name="\w+"[^>]*>([^<]*)</textarea>', form)
    assert texts
    data = {"revision": revision_on(form)}
    for section, _, text in texts:
        data.setdefault(section, []).append(text.replace("&#39;", "'"))
    data[texts[0][0]][0] = "The edited lesson, in the lead's words."
    response = auth.post(path(draft, "/edit"), data, page=path(draft, "/edit"))
    assert response.status_code == 303
    page = client.get(path(draft)).get_data(as_text=True)
    assert "The edited lesson, in the lead&#39;s words." in page and "Edited by Lena Lead" in page


def test_second_concurrent_save_gets_409_a_message_and_a_link_to_the_newer_version(world, draft, auth, client):
    auth.login(world.lead.email)
    form = client.get(path(draft, "/edit")).get_data(as_text=True)
    seen = revision_on(form)
    texts = [text for _, _, text in re.findall(r'<textarea id="(\w+)-(\d+)" name="(\w+)"', form)]
    section = re.search(r'<textarea id="(\w+)-0" name="(\w+)"', form).group(2)
    first = auth.post(path(draft, "/edit"), {"revision": seen, section: ["First save wins this race."]},
                      page=path(draft, "/edit"))
    assert first.status_code == 303
    second = auth.post(path(draft, "/edit"), {"revision": seen, section: ["Second save must not overwrite."]},
                       page=path(draft, "/edit"))
    html = second.get_data(as_text=True)
    assert second.status_code == 409
    assert "Someone else changed this summary" in html and "See the newer version" in html
    assert "Second save must not overwrite." in html  # the lead's text is kept to copy
    world.session.expire_all()
    texts = [v.content[section][0]["text"] for v in world.session.exec(
        select(LessonSummaryVersion).order_by(LessonSummaryVersion.number)).all()]
    assert texts[-1] == "First save wins this race." and len(texts) == 2


def test_stale_approve_from_an_old_page_is_refused_with_a_link(world, draft, auth, client):
    auth.login(world.lead.email)
    old_page = client.get(path(draft)).get_data(as_text=True)
    assert auth.post(path(draft, "/approve"), {"revision": revision_on(old_page)}).status_code == 303
    again = auth.post(path(draft, "/reject"), {"revision": revision_on(old_page), "reason": "Too vague."})
    assert again.status_code == 409 and "See the newer version" in again.get_data(as_text=True)
    world.session.expire_all()
    assert world.session.get(LessonSummary, draft.id).status == SummaryStatus.APPROVED


def test_reject_without_reason_is_422_beside_the_field(world, draft, auth, client):
    auth.login(world.lead.email)
    response = auth.post(path(draft, "/reject"), {"revision": str(draft.revision), "reason": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="reason-error"' in html and "Say why" in html
    world.session.expire_all()
    assert world.session.get(LessonSummary, draft.id).status == SummaryStatus.DRAFT


def test_regenerate_page_polls_until_the_new_version_is_written(world, draft, auth, client):
    auth.login(world.lead.email)
    response = auth.post(path(draft, "/regenerate"), {"revision": str(draft.revision), "guidance": "Be concrete."})
    assert response.status_code == 303
    html = client.get(path(draft)).get_data(as_text=True)
    assert 'hx-trigger="load delay:1s"' in html and "being written" in html
    world.run_jobs()
    fragment = client.get(path(draft), headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "hx-trigger" not in fragment.split(">")[0]
    assert "current version 2" in fragment and "Be concrete." in fragment


def test_compare_shows_changed_words(world, draft, auth, client):
    version = world.session.exec(select(LessonSummaryVersion)).one()
    section = next(key for key, items in version.content.items() if items)
    texts = {key: [item["text"] for item in items] for key, items in version.content.items()}
    original = texts[section][0]
    texts[section][0] = original + " Also: check twice."
    from webapp.summaries.transitions import edit_summary

    edit_summary(world.session, world.lead, draft.id, draft.revision, texts)
    world.session.commit()
    auth.login(world.lead.email)
    html = client.get(path(draft, "/compare?old=1&new=2")).get_data(as_text=True)
    assert "<ins>Also: check twice.</ins>" in html.replace(" </ins>", "</ins>")
    assert "changed" in html
    assert client.get(path(draft, "/compare?old=1&new=9")).status_code == 422


def test_published_draft_page_offers_no_actions(world, draft, auth, client):
    auth.login(world.lead.email)
    auth.post(path(draft, "/approve"), {"revision": str(draft.revision)})
    page = client.get(path(draft)).get_data(as_text=True)
    assert auth.post(path(draft, "/publish"), {"revision": revision_on(page)}).status_code == 303
    page = client.get(path(draft)).get_data(as_text=True)
    assert "A published summary is final" in page and 'name="revision"' not in page
    assert client.get(path(draft, "/edit")).status_code == 303
