"""Claiming an award, the public verification page, downloads, revocation and the status list."""
from __future__ import annotations

import hashlib
import json
import re
from xml.etree import ElementTree

import pytest
from sqlmodel import func, select

from webapp.credentials import issuer
from webapp.credentials.status import is_set
from webapp.models import BadgeAward, BadgeCredential, BadgeRule, BadgeScope, IssuerKey

from .conftest import claim, stored


def test_the_owner_claims_once_and_a_second_claim_shows_the_same_credential(client, auth, session, earned):
    ada, badge, award = earned
    auth.login("ada@example.com")
    page = client.get(f"/credentials/awards/{award.id}").get_data(as_text=True)
    assert "Claim my badge" in page and badge.name in page
    first = claim(auth, award.id)
    again = auth.post(f"/credentials/awards/{award.id}/claim", page="/dashboard")
    assert again.headers["Location"].endswith(f"/credentials/{first}")
    assert session.exec(select(func.count()).select_from(BadgeCredential)).one() == 1
    # The claim page of a claimed award now leads to the credential.
    assert client.get(f"/credentials/awards/{award.id}").headers["Location"].endswith(f"/credentials/{first}")


def test_the_credential_says_what_was_earned_by_whom_without_the_email(client, auth, session, earned):
    ada, badge, award = earned
    auth.login("ada@example.com")
    public_id = claim(auth, award.id)
    document = client.get(f"/credentials/{public_id}.json").get_json()
    text = json.dumps(document)
    assert "ada@example.com" not in text
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    achievement = document["credentialSubject"]["achievement"]
    assert achievement["name"] == "First Steps" and achievement["description"] == "Completed a first mission."
    assert achievement["criteria"]["narrative"] == 'Complete 1 mission(s) in the learning challenge "Learn Week".'
    assert client.get(achievement["image"]["id"].removeprefix("http://localhost")).mimetype == "image/svg+xml"
    identity = document["credentialSubject"]["identifier"][0]
    assert identity["type"] == "IdentityObject" and identity["hashed"] is True
    assert identity["identityHash"] == "sha256$" + hashlib.sha256(
        ("ada@example.com" + identity["salt"]).encode()).hexdigest()
    assert document["issuer"]["name"] == "Learnloop"
    assert document["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    # Stored exactly as issued: the download is what the claim signed.
    assert stored(session, public_id).document == document


def test_nobody_else_can_claim_an_award(client, auth, session, earned, world):
    world.player("bob@example.com", name="Bob")
    auth.login("bob@example.com")
    award_id = earned[2].id
    assert client.get(f"/credentials/awards/{award_id}").status_code == 404
    assert auth.post(f"/credentials/awards/{award_id}/claim").status_code == 404
    assert auth.post("/credentials/awards/999999/claim").status_code == 404
    assert session.exec(select(func.count()).select_from(BadgeCredential)).one() == 0


def test_each_member_of_a_team_can_claim_their_team_badge(client, auth, session, world):
    ada = world.player("ada@example.com")
    world.player("cy@example.com", team="blue")
    badge = world.badge(BadgeRule.TEAM_POINTS_REACHED, {"threshold": 10}, slug="team-ten", scope=BadgeScope.TEAM)
    award = BadgeAward(badge_id=badge.id, challenge_id=badge.challenge_id, subject=f"team:{world.team('red').id}",
                       team_id=world.team("red").id)
    session.add(award)
    session.commit()
    auth.login("ada@example.com")
    public_id = claim(auth, award.id)
    assert stored(session, public_id).user_id == ada.id
    auth.logout()
    auth.login("cy@example.com")  # blue team: not theirs
    assert auth.post(f"/credentials/awards/{award.id}/claim").status_code == 404


def test_the_dashboard_offers_a_claim_link_for_each_badge(client, auth, earned):
    auth.login("ada@example.com")
    page = client.get("/dashboard").get_data(as_text=True)
    assert f'href="/credentials/awards/{earned[2].id}"' in page


def test_the_public_page_shows_valid_issuer_and_achievement_and_only_the_owner_gets_linkedin(
        app, client, auth, earned):
    auth.login("ada@example.com")
    public_id = claim(auth, earned[2].id)
    mine = client.get(f"/credentials/{public_id}").get_data(as_text=True)
    assert "Add to LinkedIn profile" in mine
    link = re.search(r'href="(https://www\.linkedin\.com/profile/add\?[^"]+)"', mine).group(1)
    assert "startTask=CERTIFICATION_NAME" in link and "name=First+Steps" in link and f"certId={public_id}" in link
    auth.logout()
    anonymous = app.test_client().get(f"/credentials/{public_id}").get_data(as_text=True)
    assert "<strong>Valid</strong>" in anonymous
    assert "First Steps" in anonymous and "did:web:localhost" in anonymous and "Learnloop" in anonymous
    assert "LinkedIn" not in anonymous and "ada@example.com" not in anonymous


def test_revocation_needs_a_reason_then_shows_on_the_page_in_the_status_list_and_in_2_0(
        app, client, auth, session, earned, admin):
    auth.login("ada@example.com")
    public_id = claim(auth, earned[2].id)
    document = client.get(f"/credentials/{public_id}.json").get_json()
    entry = document["credentialStatus"]
    assert entry["type"] == "BitstringStatusListEntry" and entry["statusPurpose"] == "revocation"
    status_path = entry["statusListCredential"].removeprefix("http://localhost")
    index = int(entry["statusListIndex"])
    assert not is_set(client.get(status_path).get_json()["credentialSubject"]["encodedList"], index)
    auth.logout()

    auth.login("admin@example.com")
    refused = auth.post(f"/credentials/{public_id}/revoke", {"reason": "  "}, page=f"/credentials/{public_id}")
    assert refused.status_code == 422 and "Say why" in refused.get_data(as_text=True)
    assert stored(session, public_id).revoked_at is None
    done = auth.post(f"/credentials/{public_id}/revoke", {"reason": "Awarded by mistake."},
                     page=f"/credentials/{public_id}")
    assert done.status_code == 303
    twice = auth.post(f"/credentials/{public_id}/revoke", {"reason": "again"}, page="/dashboard")
    assert twice.status_code == 422

    public = app.test_client()
    page = public.get(f"/credentials/{public_id}").get_data(as_text=True)
    assert "<strong>Revoked</strong>" in page and "Awarded by mistake." in page
    assert is_set(public.get(status_path).get_json()["credentialSubject"]["encodedList"], index)
    gone = public.get(f"/ob2/assertions/{public_id}")
    assert gone.status_code == 410 and gone.get_json()["revoked"] is True
    assert "revoked" in client.get("/credentials").get_data(as_text=True)


def test_the_svg_download_carries_the_credential_and_the_2_0_image_the_assertion_url(client, auth, earned):
    auth.login("ada@example.com")
    public_id = claim(auth, earned[2].id)
    document = client.get(f"/credentials/{public_id}.json").get_json()
    svg = client.get(f"/credentials/{public_id}.svg")
    assert svg.mimetype == "image/svg+xml" and "attachment" in svg.headers["Content-Disposition"]
    root = ElementTree.fromstring(svg.get_data())
    baked = root.find("{https://purl.imsglobal.org/ob/v3p0}credential")
    assert json.loads(baked.text) == document
    ob2 = ElementTree.fromstring(client.get(f"/ob2/assertions/{public_id}.svg").get_data())
    assertion = ob2.find("{http://openbadges.org}assertion")
    assert assertion.get("verify") == f"http://localhost/ob2/assertions/{public_id}"


def test_badges_nobody_claimed_stay_private(client, earned):
    badge_id = earned[1].id
    for path in (f"/credentials/achievements/{badge_id}", f"/credentials/achievements/{badge_id}.svg",
                 f"/ob2/badges/{badge_id}"):
        assert client.get(path).status_code == 404


def test_the_signing_key_is_stored_encrypted_and_a_changed_secret_key_refuses_to_sign(
        app, client, auth, session, earned):
    from cryptography.hazmat.primitives import serialization

    auth.login("ada@example.com")
    claim(auth, earned[2].id)
    key = session.exec(select(IssuerKey)).one()
    assert "BEGIN" not in key.private_key_encrypted
    with pytest.raises(issuer.KeyUnavailable):
        issuer.signing_key(session, "another-secret")
    stored_key, private = issuer.signing_key(session, app.config["SECRET_KEY"])
    raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert issuer.multibase.public_key_multibase(raw) == key.public_key_multibase


def test_the_verification_page_reports_a_credential_whose_key_was_retired(app, client, auth, session, earned):
    auth.login("ada@example.com")
    public_id = claim(auth, earned[2].id)
    issuer.rotate_key(session, app.config["SECRET_KEY"])
    session.commit()
    assert "<strong>Valid</strong>" in client.get(f"/credentials/{public_id}").get_data(as_text=True)
    issuer.retire_key(session, stored(session, public_id).key_id)
    session.commit()
    page = client.get(f"/credentials/{public_id}").get_data(as_text=True)
    assert "<strong>Not valid</strong>" in page and "a key the issuer does not list" in page


def test_a_hostile_badge_name_stays_text_in_pages_images_and_json(client, auth, session, earned):
    ada, badge, award = earned
    badge.name = 'Pwn <script>alert(1)</script> ]]> "quoted"'
    session.add(badge)
    session.commit()
    auth.login("ada@example.com")
    public_id = claim(auth, award.id)
    page = client.get(f"/credentials/{public_id}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    for path in (f"/credentials/{public_id}.svg", f"/ob2/assertions/{public_id}.svg",
                 f"/credentials/achievements/{badge.id}.svg"):
        root = ElementTree.fromstring(client.get(path).get_data())  # still well-formed XML
        assert not root.findall(".//{http://www.w3.org/2000/svg}script"), path
    baked = ElementTree.fromstring(client.get(f"/credentials/{public_id}.svg").get_data()).find(
        "{https://purl.imsglobal.org/ob/v3p0}credential")
    assert json.loads(baked.text)["name"] == badge.name


def test_with_a_changed_secret_key_claims_and_the_status_list_answer_503_until_the_key_is_rotated(
        app, client, auth, session, earned):
    issuer.signing_key(session, "the-old-secret")  # a key made under another SECRET_KEY
    session.commit()
    auth.login("ada@example.com")
    assert auth.post(f"/credentials/awards/{earned[2].id}/claim").status_code == 503
    assert client.get("/credentials/status/0").status_code == 503
    assert session.exec(select(func.count()).select_from(BadgeCredential)).one() == 0
    app.test_cli_runner().invoke(args=["badges", "rotate-key"])
    claim(auth, earned[2].id)
    assert client.get("/credentials/status/0").status_code == 200
