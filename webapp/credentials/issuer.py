"""The badge issuer: its did:web, its Ed25519 keys (generated on first use, rotatable) and its DID document.

Private keys are stored encrypted with a key derived from SECRET_KEY, so a database dump alone cannot sign.
A rotation adds a key that signs from then on; older keys stay in the DID document, so what they signed
keeps verifying, until an admin retires them.
"""
from __future__ import annotations

import base64
import secrets
from urllib.parse import quote, urlsplit

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlmodel import Session, col, select

from ..models import IssuerKey, utcnow
from . import multibase

DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]


class KeyUnavailable(RuntimeError):
    """The signing key cannot be decrypted (SECRET_KEY changed): rotate the key to sign again."""


class KeyNotFound(LookupError):
    """No issuer key has that id."""


def issuer_did(base_url: str) -> str:
    """did:web of the deployment at `base_url` (its DID document is at /.well-known/did.json)."""
    return "did:web:" + quote(urlsplit(base_url).netloc, safe="")


def _fernet(secret_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"learnloop issuer key").derive(
        secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def _new_key(session: Session, secret_key: str) -> IssuerKey:
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                        serialization.NoEncryption())
    raw_public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    key = IssuerKey(key_id=f"key-{secrets.token_hex(6)}", public_key_multibase=multibase.public_key_multibase(raw_public),
                    private_key_encrypted=_fernet(secret_key).encrypt(raw_private).decode())
    session.add(key)
    session.flush()
    return key


def listed_keys(session: Session) -> list[IssuerKey]:
    """Keys in the DID document: every key not retired, oldest first."""
    return list(session.exec(select(IssuerKey).where(col(IssuerKey.retired_at).is_(None)).order_by(IssuerKey.id)))


def signing_key(session: Session, secret_key: str) -> tuple[IssuerKey, Ed25519PrivateKey]:
    """The newest key not retired and its private half; a first key is made when there is none.

    Raises KeyUnavailable when SECRET_KEY no longer decrypts it."""
    keys = listed_keys(session)
    key = keys[-1] if keys else _new_key(session, secret_key)
    try:
        raw = _fernet(secret_key).decrypt(key.private_key_encrypted.encode())
    except InvalidToken:
        raise KeyUnavailable("the badge signing key cannot be decrypted with this SECRET_KEY; "
                             "run `learnloop badges rotate-key`") from None
    return key, Ed25519PrivateKey.from_private_bytes(raw)


def rotate_key(session: Session, secret_key: str) -> IssuerKey:
    """Add a key that signs from now on; older keys stay listed, so what they signed still verifies."""
    return _new_key(session, secret_key)


def retire_key(session: Session, key_id: str) -> IssuerKey:
    """Take a key out of the DID document: credentials it signed stop verifying. Raises KeyNotFound."""
    key = session.exec(select(IssuerKey).where(IssuerKey.key_id == key_id)).first()
    if key is None:
        raise KeyNotFound(key_id)
    if key.retired_at is None:
        key.retired_at = utcnow()
    return key


def verification_method_id(base_url: str, key: IssuerKey) -> str:
    return f"{issuer_did(base_url)}#{key.key_id}"


def public_keys(session: Session, base_url: str) -> dict[str, bytes]:
    """Verification method id -> raw Ed25519 public key, for every listed key."""
    return {verification_method_id(base_url, key): multibase.public_key_bytes(key.public_key_multibase)
            for key in listed_keys(session)}


def did_document(session: Session, base_url: str) -> dict:
    """The issuer's DID document: each listed key as a Multikey, its full id under assertionMethod."""
    did = issuer_did(base_url)
    methods = [{"id": verification_method_id(base_url, key), "type": "Multikey", "controller": did,
                "publicKeyMultibase": key.public_key_multibase} for key in listed_keys(session)]
    return {"@context": DID_CONTEXTS, "id": did, "verificationMethod": methods,
            "assertionMethod": [method["id"] for method in methods]}
