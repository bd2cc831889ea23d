"""Revocation as a W3C Bitstring Status List: one bit per credential, set when an admin revokes it.

Every credential names its list and its index (the credential's row id); the list is itself a credential,
signed with the issuer's key when asked for, so a verifier can trust a bit it reads.
"""
from __future__ import annotations

import base64
import gzip

from sqlmodel import Session, col, select

from ..models import BadgeCredential, utcnow
from .contexts import CREDENTIALS_V2

LIST_SIZE = 131_072  # bits: 16 KB, the specification's minimum, so a list says little about how many were issued


def list_url(base_url: str, list_number: int) -> str:
    return f"{base_url}/credentials/status/{list_number}"


def status_entry(base_url: str, index: int) -> dict:
    """The credentialStatus of the credential at `index`."""
    list_number, position = divmod(index, LIST_SIZE)
    url = list_url(base_url, list_number)
    return {"id": f"{url}#{position}", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
            "statusListIndex": str(position), "statusListCredential": url}


def encode_list(revoked_positions: list[int]) -> str:
    """The encodedList: GZIP of the bitstring (index 0 is the first byte's highest bit), base64url multibase."""
    bits = bytearray(LIST_SIZE // 8)
    for position in revoked_positions:
        bits[position // 8] |= 0x80 >> (position % 8)
    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).decode().rstrip("=")


def is_set(encoded_list: str, position: int) -> bool:
    """Whether the bit at `position` of an encodedList is set."""
    body = encoded_list.removeprefix("u")
    bits = gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return bool(bits[position // 8] & (0x80 >> (position % 8)))


def revoked_positions(session: Session, list_number: int) -> list[int]:
    low, high = list_number * LIST_SIZE, (list_number + 1) * LIST_SIZE
    ids = session.exec(select(BadgeCredential.id).where(
        col(BadgeCredential.revoked_at).is_not(None), BadgeCredential.id >= low, BadgeCredential.id < high))
    return [credential_id - low for credential_id in ids]


def status_list_credential(session: Session, base_url: str, issuer_did: str, list_number: int) -> dict:
    """The unsigned BitstringStatusListCredential of list `list_number`, as of now."""
    url = list_url(base_url, list_number)
    return {"@context": [CREDENTIALS_V2], "id": url, "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": issuer_did, "validFrom": utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList", "statusPurpose": "revocation",
                                  "encodedList": encode_list(revoked_positions(session, list_number))}}
