"""Data Integrity proofs with the eddsa-rdfc-2022 cryptosuite: canonicalise (RDFC-1.0), hash, Ed25519.

pyld canonicalises with the old URGNA2012 unless told, so every call names URDNA2015 (RDFC-1.0 is the
same algorithm), and it silently drops properties no context defines: such a field would be unsigned
and changeable, so `undefined_terms` refuses it before anything is signed.
"""
from __future__ import annotations

import copy
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyld import jsonld

from . import multibase
from .contexts import document_loader

CRYPTOSUITE = "eddsa-rdfc-2022"
# pyld resolves an undefined type (or a relative id) against a base IRI; this one marks such values as undefined.
UNDEFINED_BASE = "https://undefined-term.invalid/"


class UndefinedTerms(ValueError):
    """The document uses terms no context defines; they would not be signed. The message names them."""


class ProofInvalid(ValueError):
    """The proof does not verify; the message says why."""


def _options() -> dict:
    return {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": document_loader,
            "base": UNDEFINED_BASE}


def canonical(document: dict) -> str:
    return jsonld.normalize(document, _options())


def _paths(value, prefix=()) -> set[tuple[str, ...]]:
    """Every key path of a JSON document, arrays looked through, @context left out."""
    found = set()
    if isinstance(value, list):
        for item in value:
            found |= _paths(item, prefix)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == "@context":
                continue
            found.add(prefix + (key,))
            found |= _paths(item, prefix + (key,))
    return found


def _relative_iris(expanded) -> set[str]:
    """Property names, types and ids that did not become absolute IRIs of a context (an undefined type is
    resolved against the base)."""
    found = set()
    if isinstance(expanded, list):
        for item in expanded:
            found |= _relative_iris(item)
    elif isinstance(expanded, dict):
        for key, item in expanded.items():
            if not key.startswith("@") and ":" not in key:
                found.add(key)
            if key in ("@type", "@id"):
                found |= {value.removeprefix(UNDEFINED_BASE) for value in (item if isinstance(item, list) else [item])
                          if isinstance(value, str) and (value.startswith(UNDEFINED_BASE) or ":" not in value)}
            if key != "@value":
                found |= _relative_iris(item)
    return found


def undefined_terms(document: dict) -> list[str]:
    """Terms of `document` that its contexts do not define (as dotted paths), empty when every term is defined."""
    options = {"documentLoader": document_loader, "base": UNDEFINED_BASE}
    expanded = jsonld.expand(document, options)
    compacted = jsonld.compact(expanded, {"@context": document["@context"]}, options)
    missing = {".".join(path) for path in _paths(document) - _paths(compacted)}
    return sorted(missing | _relative_iris(expanded))


def _hash_data(unsecured: dict, proof_config: dict) -> bytes:
    config = dict(proof_config, **{"@context": unsecured["@context"]})
    return (hashlib.sha256(canonical(config).encode()).digest()
            + hashlib.sha256(canonical(unsecured).encode()).digest())


def add_proof(document: dict, private_key: Ed25519PrivateKey, verification_method: str, created: str) -> dict:
    """A copy of `document` with a DataIntegrityProof. Raises UndefinedTerms."""
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    undefined = undefined_terms(unsecured)
    if undefined:
        raise UndefinedTerms("terms no context defines: " + ", ".join(undefined))
    proof = {"type": "DataIntegrityProof", "cryptosuite": CRYPTOSUITE, "created": created,
             "verificationMethod": verification_method, "proofPurpose": "assertionMethod"}
    signature = private_key.sign(_hash_data(unsecured, proof))
    return dict(copy.deepcopy(unsecured), proof=dict(proof, proofValue=multibase.encode(signature)))


def check_proof(document: dict, public_keys: dict[str, bytes]) -> str:
    """The verification method whose key signed `document`, among `public_keys` (method id -> raw key).

    Raises ProofInvalid: no proof, an unknown or absent key, an undefined term, or a signature that fails."""
    proof = document.get("proof")
    if not isinstance(proof, dict) or proof.get("type") != "DataIntegrityProof" \
            or proof.get("cryptosuite") != CRYPTOSUITE or proof.get("proofPurpose") != "assertionMethod":
        raise ProofInvalid("no eddsa-rdfc-2022 proof for assertions")
    method = proof.get("verificationMethod")
    if method not in public_keys:
        raise ProofInvalid("signed with a key the issuer does not list")
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    try:
        if undefined_terms(unsecured):
            raise ProofInvalid("uses terms no context defines")
        config = {key: value for key, value in proof.items() if key != "proofValue"}
        signature = multibase.decode(str(proof.get("proofValue", "")))
        Ed25519PublicKey.from_public_bytes(public_keys[method]).verify(signature, _hash_data(unsecured, config))
    except (InvalidSignature, ValueError, jsonld.JsonLdError) as error:
        if isinstance(error, ProofInvalid):
            raise
        raise ProofInvalid("the signature does not match the credential") from None
    return method
