"""The XSS corpus in every user-text field, rendered by every page that shows it: nothing comes out as markup.

The browser suite (tests/browser/test_xss.py) proves nothing runs; this one reads the HTML itself, fast,
on both database backends.
"""
from __future__ import annotations

import csv
import io
import re
from urllib.parse import quote

import pytest
import yaml
from sqlmodel import select

from webapp.demo import DEMO_PASSWORD, load_demo
from webapp.models import Challenge, Mission, Reflection, Team, User

from ..conftest import csrf_token
from .xss_corpus import HOSTILE_URLS, PAYLOADS, all_payloads, injections, tagged
from .xss_seed import seed_hostile_world


@pytest.fixture
def world(session):
    load_demo(session)
    return seed_hostile_world(session)


def page_urls(ids: dict) -> dict[str, list[str]]:
    """Every page that shows the seeded text, by the demo account that can see it."""
    lab = ids["lab"]
    search = quote(PAYLOADS[0][1])
    employee = [
        "/dashboard", f"/play/challenges/{lab}", f"/play/challenges/{lab}/feed", f"/play/challenges/{lab}/leaderboard",
        *(f"/play/challenges/{challenge}" for challenge in ids["titled"][:3]),
        "/reflection/prompts", f"/reflection/prompts/{ids['open_prompt']}", f"/reflection/prompts/{ids['failed_prompt']}",
        f"/challenges/{lab}/self-assessment", "/library", f"/library?q={search}", f"/library?q=script&team=x&kind=%3Cb%3E",
        f"/library/summaries/{ids['published']}",
    ]
    lead = [
        "/review", f"/review/summaries/{ids['draft']}", f"/review/summaries/{ids['draft']}/versions/1",
        f"/review/summaries/{ids['draft']}/compare?old=1&new=2", f"/review/summaries/{ids['draft']}/edit",
        "/reflection/team", "/dashboard",
    ]
    admin = [
        "/admin/users", f"/admin/users?q={search}", "/admin/teams", f"/admin/teams/{ids['teams'][0]}",
        f"/admin/teams/{ids['platform']}", "/admin/challenges", f"/admin/challenges/{lab}",
        f"/admin/missions/{ids['missions'][0]}/edit", f"/admin/missions/{ids['missions'][-1]}/edit",
        f"/admin/badges/{ids['badges'][0]}/edit", "/admin/jobs", "/admin/llm-calls", "/admin/users/import",
        "/monitoring/", f"/monitoring/challenges/{lab}", f"/monitoring/challenges/{lab}/skills",
        f"/review/summaries/{ids['failed_summary']}", f"/review/summaries/{ids['rejected']}",
        f"/reflection/summaries/{ids['failed_summary']}", f"/library/summaries/{ids['published']}",
        "/review?status=failed", "/library", f"/play/challenges/{lab}/leaderboard",
    ]
    return {"employee@example.com": employee, "lead@example.com": lead, "admin@example.com": admin}


def sign_in(client, email: str) -> None:
    """Sign this client in as `email`, starting from a clean cookie jar."""
    client._cookies.clear()
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD,
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code in (302, 303), f"could not sign in as {email}"


def test_every_page_shows_the_corpus_as_text(client, world):
    problems, statuses = [], []
    for email, urls in page_urls(world).items():
        sign_in(client, email)
        for url in urls:
            for headers in ({}, {"HX-Request": "true"}):
                response = client.get(url, headers=headers)
                if response.status_code not in (200, 422):  # 422: the library names a bad filter beside it
                    statuses.append(f"{email} {url} {headers}: {response.status_code}")
                    continue
                problems += [f"{email} {url} {headers}: {problem}" for problem in injections(response.get_data(as_text=True))]
    assert not statuses, "pages that did not render:\n" + "\n".join(statuses)
    assert not problems, "hostile markup came through:\n" + "\n".join(problems)


def test_plain_text_fields_keep_the_literal_text(client, world):
    """Escaped, not stripped: names, titles, feedback and lessons read exactly as they were written."""
    sign_in(client, "employee@example.com")
    leaderboard = client.get(f"/play/challenges/{world['lab']}/leaderboard").get_data(as_text=True)
    feed = client.get(f"/play/challenges/{world['lab']}/feed").get_data(as_text=True)
    # Lessons read as written by their team and admins (outside the team, people's names are hidden, and the
    # hostile display names make words such as "script" names).
    sign_in(client, "admin@example.com")
    library = client.get(f"/library/summaries/{world['published']}").get_data(as_text=True)
    from html import unescape

    shown = [index for index in range(len(PAYLOADS)) if tagged(f"u{index}", PAYLOADS[index][1]) in unescape(leaderboard)]
    assert len(shown) >= 19, "the top of the board is the hostile names, each readable"
    feedback = re.findall(r"<li><strong>[^<]*:</strong> (.*?)</li>", feed, re.S)
    assert len(feedback) >= 5 and all(unescape(body) in dict(PAYLOADS).values() for body in feedback)
    for index, (_, payload) in enumerate(PAYLOADS):
        assert tagged(f"l{index}", payload) in unescape(library)


def test_model_text_links_and_images_are_not_rendered(client, world):
    """A model's prompt is markdown, but it gets no links or images: they could carry data away."""
    sign_in(client, "employee@example.com")
    page = client.get(f"/reflection/prompts/{world['open_prompt']}").get_data(as_text=True)
    prompt = re.search(r'<div class="prompt-text">(.*?)</div>', page, re.S)
    assert prompt, "the prompt text is on its page"
    assert "<a " not in prompt.group(1) and "<img" not in prompt.group(1)
    assert not injections(page)


def test_stored_evidence_links_that_are_not_web_addresses_get_no_link(client, world):
    """A javascript: or data: address left in the database by any path is never made a link."""
    sign_in(client, "employee@example.com")
    feed = client.get(f"/play/challenges/{world['lab']}/feed").get_data(as_text=True)
    links = [href for href in re.findall(r'<a href="([^"]*)"[^>]*>Evidence link</a>', feed)]
    assert links == ["http://x.example/&#34;&gt;&lt;script&gt;fetch(&#39;/__xss__?urlbreak&#39;)&lt;/script&gt;"]
    assert not injections(feed)


def test_monitoring_csv_is_inert(client, world):
    sign_in(client, "admin@example.com")
    for table in ("teams", "missions", "badges", "self-assessments"):
        response = client.get(f"/monitoring/challenges/{world['lab']}/export/{table}.csv")
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        assert response.headers.get("X-Content-Type-Options") == "nosniff"
        for row in csv.reader(io.StringIO(response.get_data(as_text=True))):
            assert not [cell for cell in row if cell.startswith(("=", "+", "@"))], f"{table}: formula cell {row}"


# --- The same corpus through the real forms and imports, then on the pages that show the result ------------

def test_forms_and_imports_store_text_that_renders_inert(client, session, world, run_jobs):
    payloads = [payload for _, payload in PAYLOADS]
    sign_in(client, "admin@example.com")
    token = csrf_token(client, "/admin/users")

    # CSV import: names and new teams.
    rows = io.StringIO()
    writer = csv.writer(rows)
    writer.writerow(["email", "name", "team", "role", "lead"])
    for index, payload in enumerate(payloads):
        writer.writerow([f"csv{index}@xss.example", tagged(f"csv{index}", payload), tagged(f"ct{index}", payload),
                         "employee", "no"])
    response = client.post("/admin/users/import", data={
        "csrf_token": token, "create_teams": "on", "file": (io.BytesIO(rows.getvalue().encode()), "people.csv")},
        content_type="multipart/form-data")
    assert response.status_code in (200, 303), response.status_code
    assert not injections(response.get_data(as_text=True))
    run_jobs()  # the import job, and the invitation emails it queues
    report = client.get(response.headers["Location"])
    assert report.status_code == 200 and not injections(report.get_data(as_text=True))
    from webapp.models import Email

    invitations = session.exec(select(Email).where(Email.kind == "invitation")).all()
    assert len(invitations) == len(payloads)
    for email in invitations:  # the names went into HTML email too
        assert not injections(email.html_body), email.to
    assert session.exec(select(User).where(User.email == "csv0@xss.example")).first() is not None

    # Admin forms: a user, a team.
    response = client.post("/admin/users", data={"csrf_token": token, "email": "form@xss.example",
                                                 "name": tagged("form", payloads[2]), "role": "employee",
                                                 "password": "a long enough password"})
    assert response.status_code in (200, 303)
    response = client.post("/admin/teams", data={"csrf_token": token, "name": tagged("ft", payloads[3])})
    assert response.status_code in (200, 303)

    # YAML import: a whole challenge written with the corpus.
    document = {
        "format": 1, "slug": "xss-yaml", "title": tagged("y", payloads[0], 200), "description": all_payloads(),
        "starts_at": "2030-01-01T09:00:00Z", "ends_at": "2030-01-20T09:00:00Z", "teams": ["platform"],
        "skills": [tagged(f"ys{index}", payload) for index, payload in enumerate(payloads)],
        "missions": [{"slug": f"y{index}", "title": tagged(f"ym{index}", payload, 200), "kind": "learn",
                      "points": 5, "instructions": payload} for index, payload in enumerate(payloads)],
        "badges": [{"slug": f"yb{index}", "name": tagged(f"yb{index}", payload), "description": payload,
                    "rule": "missions_completed", "threshold": 1} for index, payload in enumerate(payloads)],
    }
    response = client.post("/admin/challenges/import", data={"csrf_token": token, "yaml": yaml.safe_dump(document)})
    assert response.status_code in (200, 303), response.get_data(as_text=True)[:2000]
    imported = session.exec(select(Challenge).where(Challenge.slug == "xss-yaml")).one()
    # A YAML file with a hostile error: the error page quotes it escaped.
    response = client.post("/admin/challenges/import", data={"csrf_token": token,
                                                              "yaml": f"format: 1\nslug: {payloads[2]!r}\n"})
    assert response.status_code == 422
    assert not injections(response.get_data(as_text=True))

    # Skills typed into the monitoring form.
    response = client.post(f"/monitoring/challenges/{world['titled'][0]}/skills", data={
        "csrf_token": token, "skills": "\n".join(tagged(f"fs{index}", p) for index, p in enumerate(payloads[:8]))})
    assert response.status_code in (200, 303)
    for url in ["/admin/users", "/admin/teams", "/admin/challenges", f"/admin/challenges/{imported.id}",
                f"/monitoring/challenges/{world['titled'][0]}/skills", f"/monitoring/challenges/{world['lab']}"]:
        problems = injections(client.get(url).get_data(as_text=True))
        assert not problems, f"{url}: {problems}"

    # An employee: evidence, a hostile link, feedback, a reflection answer, a search.
    sign_in(client, "employee@example.com")
    lab = world["lab"]
    token = csrf_token(client, f"/play/challenges/{lab}")
    mission = session.exec(select(Mission).where(Mission.challenge_id == lab, Mission.slug == "m3")).one()
    response = client.post(f"/play/missions/{mission.id}/complete", data={
        "csrf_token": token, "evidence_text": all_payloads(), "evidence_url": "", "idempotency_key": "xss-form-1"})
    assert response.status_code in (200, 303)
    for number, url in enumerate(HOSTILE_URLS):
        response = client.post(f"/play/missions/{mission.id}/complete", data={
            "csrf_token": token, "evidence_text": payloads[1], "evidence_url": url, "idempotency_key": f"xu{number}"})
        # A script or data address is refused; a web address with markup in it is kept, and shown escaped.
        assert response.status_code == (303 if url.startswith("http") else 422)
        assert not injections(response.get_data(as_text=True))
    someone = session.exec(select(User).where(User.email == "u5@xss.example")).one()
    from webapp.models import Completion

    theirs = session.exec(select(Completion).where(Completion.user_id == someone.id)).first()
    response = client.post(f"/play/feed/completion/{theirs.id}/feedback",
                           data={"csrf_token": token, "body": payloads[8] + " " + payloads[14],
                                 "idempotency_key": "xss-feedback-1"})
    assert response.status_code in (200, 303)
    assert not injections(response.get_data(as_text=True))
    response = client.post(f"/reflection/prompts/{world['open_prompt']}/answer", data={
        "csrf_token": token, "body": all_payloads()[:3900], "visibility": "team"})
    assert response.status_code in (200, 303), response.get_data(as_text=True)[:500]
    assert session.exec(select(Reflection).where(Reflection.prompt_id == world["open_prompt"])).first()
    for url in [f"/play/challenges/{lab}/feed", f"/play/challenges/{lab}", "/dashboard",
                f"/library?q={quote(payloads[2])}", f"/play/challenges/{imported.id}"]:
        response = client.get(url)
        problems = injections(response.get_data(as_text=True))
        assert not problems, f"{url}: {problems}"

    # The lead rewrites lessons with the corpus; the draft and its comparison stay inert.
    sign_in(client, "lead@example.com")
    draft = world["draft"]
    token = csrf_token(client, f"/review/summaries/{draft}/edit")
    edit = client.get(f"/review/summaries/{draft}/edit").get_data(as_text=True)
    revision = re.search(r'name="revision" value="(\d+)"', edit).group(1)
    data = {"csrf_token": token, "revision": revision}
    response = client.post(f"/review/summaries/{draft}/edit", data={
        **data, "key_lessons": [tagged(f"edit{index}", p, 500) for index, p in enumerate(payloads[:7])]})
    assert response.status_code in (200, 303), response.get_data(as_text=True)[:1000]
    for url in [f"/review/summaries/{draft}", f"/review/summaries/{draft}/compare?old=2&new=3"]:
        response = client.get(url)
        assert response.status_code == 200
        problems = injections(response.get_data(as_text=True))
        assert not problems, f"{url}: {problems}"
    assert tagged("edit0", payloads[0], 500) in __import__("html").unescape(
        client.get(f"/review/summaries/{draft}").get_data(as_text=True))
    assert session.exec(select(Team).where(Team.name == tagged("ct0", payloads[0]))).first() is not None


@pytest.mark.parametrize("name, payload", [(name, payload) for name, payload in PAYLOADS if "<" in payload])
def test_the_checker_sees_each_payload_left_raw_and_passes_it_escaped(name, payload):
    from markupsafe import escape

    assert injections(f"<main><p>{payload}</p></main>"), f"{name} would go unnoticed"
    assert not injections(f"<main><p>{escape(payload)}</p><input value=\"{escape(payload)}\"></main>")
