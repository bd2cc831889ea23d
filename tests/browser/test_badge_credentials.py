"""An employee earns a badge, claims it as an Open Badges 3.0 credential, downloads it, and the credential
verifies with the independent Node verifier against the live server's did.json and status list."""
from __future__ import annotations

import json

import requests

from ..credentials.conftest import node_verify
from .conftest import assert_accessible, open_mission, sign_in
from .test_playing import add_challenge


def test_earn_claim_download_and_verify(page, live_server, tmp_path):
    challenge_id = add_challenge(live_server)
    sign_in(page, live_server, "employee@example.com")
    page.get_by_role("button", name="Join “Try a tool week”").click()
    page.wait_for_url(f"{live_server.url}/play/challenges/{challenge_id}")
    open_mission(page, "Try a new tool")
    page.get_by_label("What did you do?").fill("Tried the new profiler on the checkout service.")
    page.get_by_role("button", name="Complete “Try a new tool”").click()
    page.locator("#my-badges").get_by_text("First experiment").wait_for()

    page.get_by_role("link", name="Claim First experiment as a credential").click()
    page.get_by_role("heading", name="Claim your badge: First experiment").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Claim my badge").click()
    page.locator("#credential-status").get_by_text("Valid").wait_for()
    assert "now a credential" in page.locator("#flash").inner_text()
    linkedin = page.get_by_role("link", name="Add to LinkedIn profile").get_attribute("href")
    assert linkedin.startswith("https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME")
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="credential (JSON)").click()
    path = tmp_path / "credential.json"
    download_info.value.save_as(path)
    credential = json.loads(path.read_text())
    assert credential["credentialSubject"]["achievement"]["name"] == "First experiment"

    # What a verifier fetches from the issuer's own address.
    did_url = f"{live_server.url}/.well-known/did.json"
    status_url = credential["credentialStatus"]["statusListCredential"]
    documents = {did_url: requests.get(did_url, timeout=10).json(),
                 status_url: requests.get(status_url, timeout=10).json()}
    assert credential["issuer"]["id"] == documents[did_url]["id"]
    assert node_verify(credential, documents, tmp_path) == {"verified": True, "errors": []}

    # The public page a recipient shares, seen by someone signed out.
    public = page.context.browser.new_context()
    try:
        other = public.new_page()
        other.goto(credential["id"])
        assert "Valid" in other.locator("#credential-status").inner_text()
        assert "employee@example.com" not in other.content()
    finally:
        public.close()
