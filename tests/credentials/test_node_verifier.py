"""Credentials signed here verify with an independent implementation (Digital Bazaar's vc in Node), offline;
changed, undefined-term, revoked and retired-key credentials do not."""
from __future__ import annotations

import copy

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from webapp.credentials import issuer
from webapp.credentials.proofs import UndefinedTerms, add_proof

from .conftest import BASE, claim, node_verify, served_documents, stored


def test_a_claimed_credential_verifies(app, client, auth, session, earned, tmp_path):
    auth.login("ada@example.com")
    credential = client.get(f"/credentials/{claim(auth, earned[2].id)}.json").get_json()
    result = node_verify(credential, served_documents(client, credential), tmp_path)
    assert result == {"verified": True, "errors": []}


@pytest.mark.parametrize("change", [
    ("name", "Grand Master"),
    ("validFrom", "2020-01-01T00:00:00Z"),
    ("issuer.name", "Someone Else"),
    ("credentialSubject.achievement.name", "Another badge"),
    ("credentialSubject.achievement.criteria.narrative", "Nothing at all."),
    ("credentialSubject.identifier.0.identityHash", "sha256$" + "0" * 64),
    ("credentialStatus.statusListIndex", "99"),
    ("proof.created", "2020-01-01T00:00:00Z"),
])
def test_a_changed_credential_does_not_verify(app, client, auth, earned, tmp_path, change):
    auth.login("ada@example.com")
    credential = client.get(f"/credentials/{claim(auth, earned[2].id)}.json").get_json()
    documents = served_documents(client, credential)
    path, value = change
    tampered = copy.deepcopy(credential)
    *parents, last = path.split(".")
    target = tampered
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[last] = value
    result = node_verify(tampered, documents, tmp_path)
    assert result["verified"] is False
    assert "Invalid signature." in result["errors"], result


def test_a_credential_with_an_undefined_term_does_not_verify_and_is_never_signed(app, client, auth, session, earned,
                                                                               tmp_path):
    auth.login("ada@example.com")
    credential = client.get(f"/credentials/{claim(auth, earned[2].id)}.json").get_json()
    documents = served_documents(client, credential)
    added = dict(credential, favouriteColour="green")
    result = node_verify(added, documents, tmp_path)
    assert result["verified"] is False
    assert "Safe mode validation error." in result["errors"], result
    # And the Python side refuses to sign it at all: pyld would drop the field and sign the rest.
    unsigned = {key: value for key, value in added.items() if key != "proof"}
    with pytest.raises(UndefinedTerms, match="favouriteColour"):
        add_proof(unsigned, Ed25519PrivateKey.generate(), credential["proof"]["verificationMethod"], "2026-01-01T00:00:00Z")


def test_after_rotation_old_credentials_verify_until_their_key_is_retired(app, client, auth, session, earned,
                                                                          tmp_path):
    auth.login("ada@example.com")
    public_id = claim(auth, earned[2].id)
    credential = client.get(f"/credentials/{public_id}.json").get_json()
    old_key = stored(session, public_id).key_id
    new_key = issuer.rotate_key(session, app.config["SECRET_KEY"])
    session.commit()
    did = client.get("/.well-known/did.json").get_json()
    assert [method["id"].split("#")[1] for method in did["verificationMethod"]] == [old_key, new_key.key_id]
    assert node_verify(credential, served_documents(client, credential), tmp_path)["verified"] is True
    # The status list is now signed with the new key, and verifies too (the Node side checks it).
    status = served_documents(client, credential)[credential["credentialStatus"]["statusListCredential"]]
    assert status["proof"]["verificationMethod"].endswith(new_key.key_id)

    issuer.retire_key(session, old_key)
    session.commit()
    assert old_key not in client.get("/.well-known/did.json").get_data(as_text=True)
    result = node_verify(credential, served_documents(client, credential), tmp_path)
    assert result["verified"] is False
    assert any("verification method" in error for error in result["errors"]), result


def test_a_revoked_credential_does_not_verify(app, client, auth, session, earned, admin, tmp_path):
    auth.login("ada@example.com")
    public_id = claim(auth, earned[2].id)
    credential = client.get(f"/credentials/{public_id}.json").get_json()
    auth.logout()
    auth.login("admin@example.com")
    response = auth.post(f"/credentials/{public_id}/revoke", {"reason": "Awarded by mistake."},
                         page=f"/credentials/{public_id}")
    assert response.status_code == 303
    result = node_verify(credential, served_documents(client, credential), tmp_path)
    assert result["verified"] is False
    assert "revoked" in result["errors"]


def test_the_issuer_is_the_deployments_did_web(app, client, auth, earned):
    auth.login("ada@example.com")
    credential = client.get(f"/credentials/{claim(auth, earned[2].id)}.json").get_json()
    did = client.get("/.well-known/did.json").get_json()
    assert credential["issuer"]["id"] == did["id"] == "did:web:localhost"
    method = did["verificationMethod"][0]
    assert method["type"] == "Multikey" and method["controller"] == did["id"]
    assert method["publicKeyMultibase"].startswith("z6Mk")
    assert did["assertionMethod"] == [method["id"]] == [credential["proof"]["verificationMethod"]]
    assert BASE in credential["id"]
