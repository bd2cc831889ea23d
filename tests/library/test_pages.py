"""Library pages route by route: who sees what, sources behind lessons, filters, Markdown exports."""
from sqlmodel import select

from webapp.models import Notification
from tests.review.conftest import PRIVATE_BODY, SHARED


def test_library_needs_sign_in(world, published, client):
    for url in ("/library", f"/library/summaries/{published.id}", f"/library/summaries/{published.id}/export.md",
                f"/library/challenges/{world.challenge.id}/export.md"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_employee_of_another_team_finds_published_lessons_by_search(world, published, auth, client):
    auth.login(world.outsider.email)
    html = client.get("/library?q=rollback").get_data(as_text=True)
    assert "Write the rollback plan before every release" in html
    assert f"/library/summaries/{published.id}" in html  # each lesson links back to its summary
    assert "Pair programming" not in html


def test_drafts_are_not_in_the_library_for_anyone(world, draft, auth, client):
    for person in (world.ada, world.lead, world.admin):
        auth.login(person.email)
        assert client.get(f"/library/summaries/{draft.id}").status_code == 404
        assert client.get(f"/library/summaries/{draft.id}/export.md").status_code == 404
        html = client.get("/library").get_data(as_text=True)
        assert "No lessons have been published yet." in html
        auth.logout()


def test_sources_show_to_the_team_and_admins_only_and_never_private_ones(world, published, auth, client):
    url = f"/library/summaries/{published.id}"
    auth.login(world.outsider.email)  # signed in, not on the team
    html = client.get(url).get_data(as_text=True)
    assert "Write the rollback plan" in html and "From 2 team reflections" in html
    assert "Ada Lovelace" not in html and SHARED["bob"][:30] not in html and PRIVATE_BODY not in html
    auth.logout()
    for person in (world.bob, world.admin):
        auth.login(person.email)
        html = client.get(url).get_data(as_text=True)
        assert "Ada Lovelace" in html and SHARED["bob"][:30] in html
        assert PRIVATE_BODY not in html
        auth.logout()


def test_publishing_notifies_the_team_and_opening_the_summary_reads_it(world, published, auth, client):
    auth.login(world.bob.email)
    html = client.get("/library").get_data(as_text=True)
    assert "New for you" in html and "lessons were published" in html
    client.get(f"/library/summaries/{published.id}")
    assert "New for you" not in client.get("/library").get_data(as_text=True)
    world.session.expire_all()
    note = world.session.exec(select(Notification).where(Notification.user_id == world.bob.id)).one()
    assert note.read_at is not None


def test_bad_filters_get_messages_beside_fields(world, published, auth, client):
    auth.login(world.bob.email)
    response = client.get("/library?team=abc&kind=cooking")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="team-error"' in html and 'id="kind-error"' in html


def test_filters_and_fragment(world, published, auth, client):
    auth.login(world.bob.email)
    html = client.get(f"/library?team={world.other_team.id}").get_data(as_text=True)
    assert "Feature flags" in html and "Write the rollback plan" not in html
    fragment = client.get("/library?q=flags", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and 'id="library-results"' in body and "Feature flags" in body
    assert "HX-Request" in fragment.headers["Vary"]


def test_summary_export_is_markdown_with_every_lesson(world, published, auth, client):
    auth.login(world.outsider.email)
    response = client.get(f"/library/summaries/{published.id}/export.md")
    assert response.status_code == 200 and response.mimetype == "text/markdown"
    assert response.headers["Content-Disposition"] == 'attachment; filename="lessons-owls-a-week-of-learning-from-mistakes.md"'
    text = response.get_data(as_text=True)
    assert text.startswith("# Lessons of Owls: A week of learning from mistakes\n")
    assert "\n## Key lessons\n\n- Write the rollback plan before every release; rollback drills make deploys calm. (1 team reflection)\n" in text
    assert "\n## Mistakes and what they taught\n\n- We forgot to pin the clock in tests; the rollback was slow too. (2 team reflections)\n" in text
    assert "Open questions" not in text  # empty sections are left out
    assert SHARED["ada"] not in text and "Ada Lovelace" not in text  # lessons, never the reflections


def test_challenge_export_has_every_team_and_nothing_unpublished(world, published, auth, client):
    world.draft(key="unpublished")
    auth.login(world.outsider.email)
    text = client.get(f"/library/challenges/{world.challenge.id}/export.md").get_data(as_text=True)
    assert text.startswith("# Lessons learned: A week of learning from mistakes\n\n4 published lessons")
    assert text.index("## Foxes") < text.index("## Owls")
    assert "### Practices that worked\n\n- Feature flags let us release without fear. (1 team reflection)" in text
    assert text.count("\n- ") == 4
    assert client.get("/library/challenges/9999/export.md").status_code == 404


def test_export_keeps_each_lesson_one_list_item(world, draft, auth, client):
    from tests.library.conftest import publish_texts

    publish_texts(world, draft, {"key_lessons": [("# not a heading\nsecond line", [world.shared[0].id])]})
    auth.login(world.bob.email)
    text = client.get(f"/library/summaries/{draft.id}/export.md").get_data(as_text=True)
    assert "- \\# not a heading second line (1 team reflection)" in text


def test_nav_shows_library_to_everyone_and_review_to_leads_and_admins(world, auth, client):
    auth.login(world.ada.email)
    html = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/library"' in html and 'href="/review"' not in html
    auth.logout()
    for person in (world.lead, world.admin):
        auth.login(person.email)
        html = client.get("/dashboard").get_data(as_text=True)
        assert 'href="/library"' in html and 'href="/review"' in html
        auth.logout()


def test_a_draft_challenge_has_no_export_and_its_title_stays_hidden(world, auth, client, session):
    from webapp.models import Challenge, ChallengeStatus, utcnow

    secret = Challenge(slug="reorg", title="Secret reorganisation plan", starts_at=utcnow(), ends_at=utcnow(),
                       status=ChallengeStatus.DRAFT)
    session.add(secret)
    session.commit()
    for person in (world.ada, world.admin):
        auth.login(person.email)
        response = client.get(f"/library/challenges/{secret.id}/export.md")
        assert response.status_code == 404
        assert "Secret reorganisation" not in response.get_data(as_text=True)
        auth.logout()
