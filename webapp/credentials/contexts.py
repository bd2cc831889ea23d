"""The JSON-LD contexts credentials use, from copies shipped with the code: nothing is fetched at run time.

Each copy has its SHA-256 recorded here (a test checks them): the Open Badges file has changed under the
same URL before, and a changed context changes what a signature means.
"""
from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OPEN_BADGES_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

FOLDER = Path(__file__).resolve().parent / "contexts"
# url -> (file, sha256 of the file's bytes)
CONTEXTS: dict[str, tuple[str, str]] = {
    CREDENTIALS_V2: ("credentials-v2.jsonld", "8a9f494a89ecc51db093e90e84713e07e84d6d9204364a9b3c7868b21751236f"),
    OPEN_BADGES_V3: ("ob-v3p0-context-3.0.3.json", "ef2fa9c7846dce233cc166b43639027278be4ee44f00bb1d45c75de2dd0cd761"),
}


class UnknownContext(LookupError):
    """A document names a context that is not one of the local copies; it is never fetched."""


def context_bytes(url: str) -> bytes:
    """The shipped copy of the context at `url`. Raises UnknownContext."""
    if url not in CONTEXTS:
        raise UnknownContext(url)
    return (FOLDER / CONTEXTS[url][0]).read_bytes()


def checksum(url: str) -> str:
    return hashlib.sha256(context_bytes(url)).hexdigest()


@cache
def _parsed(url: str) -> dict:
    return json.loads(context_bytes(url))


def document_loader(url: str, options=None) -> dict:
    """pyld's document loader: the local copies, and nothing else (raises UnknownContext)."""
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
            "document": _parsed(url)}
