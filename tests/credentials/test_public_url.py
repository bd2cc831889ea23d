"""With PUBLIC_URL set, the issuer and every link in a credential use it, whatever address a request came to."""
from __future__ import annotations

import pytest

from webapp.settings import SettingsError, load_settings

from .conftest import claim


@pytest.fixture
def settings_overrides():
    return {"public_url": "https://learn.example.com:8443/"}


def test_the_issuer_is_the_configured_address(client, auth, earned):
    auth.login("ada@example.com")
    public_id = claim(auth, earned[2].id)
    credential = client.get(f"/credentials/{public_id}.json").get_json()
    did = client.get("/.well-known/did.json").get_json()
    assert did["id"] == credential["issuer"]["id"] == "did:web:learn.example.com%3A8443"
    assert credential["id"] == f"https://learn.example.com:8443/credentials/{public_id}"
    assert credential["credentialStatus"]["statusListCredential"] == "https://learn.example.com:8443/credentials/status/0"
    assert "<strong>Valid</strong>" in client.get(f"/credentials/{public_id}").get_data(as_text=True)


@pytest.mark.parametrize("value", ["learn.example.com", "https://learn.example.com/app", "ftp://x.example"])
def test_a_public_url_that_is_not_an_origin_stops_start_up(value):
    with pytest.raises(SettingsError, match="PUBLIC_URL"):
        load_settings(public_url=value)
