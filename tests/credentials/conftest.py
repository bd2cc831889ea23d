"""A person who earned a badge, a signed-in client for them, and the Node verifier (Digital Bazaar's vc)."""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from sqlmodel import select

from webapp.models import BadgeAward, BadgeCredential, BadgeRule, Role

from ..play.conftest import World

VERIFIER = Path(__file__).resolve().parent / "verifier"
BASE = "http://localhost"  # the Flask test client's address: the issuer is did:web:localhost


@pytest.fixture
def world(session, make_user) -> World:
    return World(session, make_user)


@pytest.fixture
def earned(world, session):
    """Ada (team red) holds the award of the badge "First Steps" in the running challenge."""
    ada = world.player("ada@example.com", name="Ada")
    badge = world.badge(BadgeRule.MISSIONS_COMPLETED, {"threshold": 1}, slug="first_steps",
                        description="Completed a first mission.")
    award = BadgeAward(badge_id=badge.id, challenge_id=badge.challenge_id, subject=f"user:{ada.id}", user_id=ada.id)
    session.add(award)
    session.commit()
    return ada, badge, award


@pytest.fixture
def admin(make_user):
    return make_user("admin@example.com", Role.ADMIN)


def claim(auth, award_id: int):
    """Claim through the claim page's form, as the owner would; returns the credential's public id."""
    response = auth.post(f"/credentials/awards/{award_id}/claim", page=f"/credentials/awards/{award_id}")
    assert response.status_code == 303, response.get_data(as_text=True)
    return re.search(r"/credentials/([0-9a-f-]{36})$", response.headers["Location"]).group(1)


def stored(session, public_id: str) -> BadgeCredential:
    session.expire_all()
    return session.exec(select(BadgeCredential).where(BadgeCredential.public_id == public_id)).one()


def served_documents(client, credential: dict) -> dict:
    """What a verifier would fetch from the issuer: its did.json and the credential's status list."""
    documents = {f"{BASE}/.well-known/did.json": client.get("/.well-known/did.json").get_json()}
    status_url = credential.get("credentialStatus", {}).get("statusListCredential")
    if status_url:
        documents[status_url] = json.loads(client.get(status_url.removeprefix(BASE)).get_data(as_text=True))
    return documents


def node_verify(credential: dict, documents: dict, tmp_path) -> dict:
    """Run the Node verifier; its document loader serves only `documents` and the npm packages' contexts."""
    assert (VERIFIER / "node_modules").exists(), "the Node verifier is not installed: run `make install`"
    path = tmp_path / f"verify-{len(list(tmp_path.iterdir()))}.json"
    path.write_text(json.dumps({"credential": credential, "documents": documents}))
    result = subprocess.run(["node", str(VERIFIER / "verify.mjs"), str(path)], capture_output=True, text=True,
                            timeout=60, cwd=VERIFIER)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
