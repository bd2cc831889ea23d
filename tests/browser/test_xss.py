"""The XSS corpus in a real browser: typed into the forms people use, seeded everywhere else, then every page
that shows it is opened once. Nothing may run (no dialog, no request to /__xss__ or evil.example, no
window.__xss), no hostile element may reach the DOM, and the text stays readable.

The browser context bypasses the content security policy on purpose: the escaping must hold on its own,
the policy is the second wall, not the first.
"""
from __future__ import annotations

import io
import csv
from urllib.parse import urlsplit

import yaml

from tests.security.test_xss_rendering import page_urls
from tests.security.xss_corpus import EVIL_HOST, MARKER_PATH, PAYLOADS, all_payloads, tagged
from tests.security.xss_seed import seed_hostile_world

from .conftest import CHROMIUM_ARGS, sign_in  # noqa: F401  (CHROMIUM_ARGS: same launch as the other tests)

PAYLOAD_TEXTS = [payload for _, payload in PAYLOADS]
# Elements no user or model text may become, looked for inside the page's main content (the pages' own icons and
# badge medallions are svg of those two classes; a payload's svg has neither).
HOSTILE_SELECTOR = ", ".join([
    'main script:not([type="application/json"])', "main iframe", "main object", "main embed", "main svg:not(.icon, .medallion)", "main math", "main style",
    "main img", "main base", "main meta", "main noscript", "main [onerror]", "main [onload]", "main [onfocus]",
    "main [ontoggle]", "main [style]:not(canvas)", 'main [hx-get="/admin/users"][hx-trigger*="load"]', 'main [hx-get^="/__xss__"]',
    'main a[href^="javascript:" i]', 'main a[href^="data:" i]',
])


class Tripwire:
    """Everything a page did that only an executed or loaded payload could do."""

    def __init__(self, page):
        self.hits: list[str] = []
        page.on("dialog", self._dialog)
        page.on("request", self._request)

    def _dialog(self, dialog):
        self.hits.append(f"dialog {dialog.type}: {dialog.message} on {dialog.page.url if dialog.page else '?'}")
        dialog.dismiss()

    def _request(self, request):
        target = urlsplit(request.url)
        if target.path.startswith(MARKER_PATH) or EVIL_HOST in target.netloc:
            self.hits.append(f"request {request.url}")


def visit(page, tripwire: Tripwire, url: str, problems: list[str]) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    if page.evaluate("() => window.__xss !== undefined"):
        problems.append(f"{url}: window.__xss was set")
    found = page.eval_on_selector_all(HOSTILE_SELECTOR, "nodes => nodes.map(n => n.outerHTML.slice(0, 160))")
    problems += [f"{url}: hostile element {html}" for html in found]


def test_corpus_is_inert_and_readable_everywhere(live_server, browser):
    with live_server.session() as session:
        ids = seed_hostile_world(session)
    context = browser.new_context(bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    tripwire = Tripwire(page)
    problems: list[str] = []
    base = live_server.url

    # The tripwire itself: a payload that does run is caught (so a quiet run means something).
    page.goto(f"{base}/login")
    page.evaluate("""() => document.body.insertAdjacentHTML('beforeend',
        '<img src=x onerror="fetch(\\'/__xss__?selftest\\')">')""")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(200)
    assert tripwire.hits and "selftest" in tripwire.hits[0], tripwire.hits
    tripwire.hits.clear()

    # --- admin: a team and a user through their forms, a CSV and a YAML import ---------------------------
    sign_in(page, live_server, "admin@example.com")
    page.goto(f"{base}/admin/teams")
    page.locator('form[action="/admin/teams"] [name="name"]').fill(tagged("formteam", PAYLOAD_TEXTS[2]))
    page.get_by_role("button", name="Create team").click()
    page.wait_for_load_state("networkidle")
    page.goto(f"{base}/admin/users")
    form = page.locator('form[action="/admin/users"][method="post"]')
    form.locator('[name="email"]').fill("browser@xss.example")
    form.locator('[name="name"]').fill(tagged("formuser", PAYLOAD_TEXTS[7]))
    form.locator('[name="password"]').fill("a long enough password")
    page.get_by_role("button", name="Add user").click()
    page.wait_for_load_state("networkidle")

    rows = io.StringIO()
    writer = csv.writer(rows)
    writer.writerow(["email", "name", "team"])
    for index, payload in enumerate(PAYLOAD_TEXTS):
        writer.writerow([f"bcsv{index}@xss.example", tagged(f"bcsv{index}", payload), tagged(f"bct{index}", payload)])
    page.goto(f"{base}/admin/users/import")
    page.locator("#csv-file").set_input_files(files=[{"name": "people.csv", "mimeType": "text/csv",
                                                      "buffer": rows.getvalue().encode()}])
    page.locator("#create-teams").check()
    page.get_by_role("button", name="Import").click()
    # The import runs as a job; its page polls until the per-row report is there.
    page.get_by_text("bcsv0@xss.example").first.wait_for(timeout=60_000)

    document = {
        "format": 1, "slug": "xss-browser-yaml", "title": tagged("yaml", PAYLOAD_TEXTS[4], 200),
        "description": all_payloads(), "starts_at": "2030-01-01T09:00:00Z", "ends_at": "2030-01-20T09:00:00Z",
        "missions": [{"slug": f"y{index}", "title": tagged(f"ym{index}", payload, 200), "kind": "learn", "points": 5,
                      "instructions": payload} for index, payload in enumerate(PAYLOAD_TEXTS)],
        "badges": [{"slug": f"yb{index}", "name": tagged(f"yb{index}", payload), "description": payload,
                    "rule": "missions_completed", "threshold": 1} for index, payload in enumerate(PAYLOAD_TEXTS)],
    }
    page.goto(f"{base}/admin/challenges")
    page.locator("#yaml-text").fill(yaml.safe_dump(document))
    page.locator('form[action="/admin/challenges/import"]').get_by_role("button", name="Import").click()
    page.wait_for_load_state("networkidle")
    yaml_challenge = page.url.rstrip("/").rsplit("/", 1)[-1]
    assert yaml_challenge.isdigit(), f"the import opened the new challenge, not {page.url}"

    admin_urls = page_urls(ids)["admin@example.com"] + [
        f"/admin/challenges/{yaml_challenge}", f"/admin/users?q=bcsv", "/admin/teams",
    ]
    for url in admin_urls:
        visit(page, tripwire, base + url, problems)
    page.goto(f"{base}/admin/teams")
    for index in (0, 2, 7, 15, 32):
        assert page.get_by_text(tagged(f"t{index}", PAYLOAD_TEXTS[index]), exact=True).count() == 1, \
            f"team name {index} reads as written"
    assert page.get_by_text(tagged("formteam", PAYLOAD_TEXTS[2]), exact=True).count() == 1
    # Lessons read as written by admins and the team (elsewhere people's names are hidden, and the hostile
    # display names make words such as "script" names).
    page.goto(f"{base}/library/summaries/{ids['published']}")
    for index in (0, 1, 14, 19, 31):
        assert page.get_by_text(tagged(f"l{index}", PAYLOAD_TEXTS[index], 500), exact=True).count() == 1, \
            f"lesson {index} (model text) reads as written"
    context.clear_cookies()

    # --- an employee: evidence, feedback, a reflection, a library search -----------------------------
    sign_in(page, live_server, "employee@example.com")
    lab = ids["lab"]
    page.goto(f"{base}/play/challenges/{lab}")
    mission = page.locator("article.mission-card", has=page.get_by_role("heading", name=tagged("m5", PAYLOAD_TEXTS[5], 200)))
    mission.locator("summary").first.click()  # cards are collapsed: open it, then its Complete form
    mission.get_by_role("button", name="Complete", exact=True).click()
    card = mission.locator("form")
    card.locator('[name="evidence_text"]').fill(all_payloads())
    card.get_by_role("button").click()
    page.wait_for_load_state("networkidle")
    page.goto(f"{base}/play/challenges/{lab}/feed")
    page.get_by_text("Give feedback", exact=True).first.click()  # the form opens on demand
    feedback = page.locator("textarea[name=body]").first
    feedback.fill(PAYLOAD_TEXTS[14] + " " + PAYLOAD_TEXTS[32])
    feedback.locator("xpath=ancestor::form").get_by_role("button", name="Send feedback").click()
    page.wait_for_load_state("networkidle")
    page.goto(f"{base}/reflection/prompts/{ids['open_prompt']}")
    page.locator("#reflection-body").fill(all_payloads()[:4000])
    page.get_by_label("My team", exact=False).check()
    page.get_by_role("button", name="Save my reflection").click()
    page.wait_for_load_state("networkidle")
    page.goto(f"{base}/library")
    page.locator("#library-q").fill(PAYLOAD_TEXTS[2])
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#library-q").input_value() == PAYLOAD_TEXTS[2], "the query comes back as typed"

    for url in page_urls(ids)["employee@example.com"] + [f"/play/challenges/{lab}/feed"]:
        visit(page, tripwire, base + url, problems)
    page.goto(f"{base}/play/challenges/{lab}/feed")
    assert page.get_by_text(PAYLOAD_TEXTS[14] + " " + PAYLOAD_TEXTS[32]).count() == 1, "the feedback reads as sent"
    context.clear_cookies()

    # --- the lead rewrites a lesson with the corpus ------------------------------------------------------
    sign_in(page, live_server, "lead@example.com")
    page.goto(f"{base}/review/summaries/{ids['draft']}/edit")
    page.locator('textarea[name="key_lessons"]').first.fill(tagged("leadedit", PAYLOAD_TEXTS[15], 400))
    page.get_by_role("button", name="Save as a new version").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text(tagged("leadedit", PAYLOAD_TEXTS[15], 400), exact=True).count() >= 1
    for url in page_urls(ids)["lead@example.com"] + [f"/review/summaries/{ids['draft']}/compare?old=2&new=3"]:
        visit(page, tripwire, base + url, problems)
    page.goto(f"{base}/play/challenges/{lab}/leaderboard")
    board = page.locator("#people-board").inner_text()
    readable = [index for index, payload in enumerate(PAYLOAD_TEXTS) if tagged(f"u{index}", payload) in board]
    assert len(readable) >= 19, "the top of the board is the hostile names, each reading as written"

    context.close()
    assert not tripwire.hits, "a payload ran or loaded something:\n" + "\n".join(tripwire.hits)
    assert not problems, "hostile markup reached the DOM:\n" + "\n".join(problems)
