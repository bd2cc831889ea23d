"""Open Badges 2.0 hosted badges pass a check written from the 2.0 specification."""
from __future__ import annotations

import pytest

from .conftest import claim
from .openbadges2_spec import SpecViolation, check_assertion, check_hosted_badge


@pytest.fixture
def settings_overrides():
    return {"badge_issuer_email": "badges@corp.example", "badge_issuer_name": "Corp Learning"}


def _fetcher(client):
    def fetch(url: str):
        response = client.get(url.removeprefix("http://localhost"))
        return response.status_code, response.get_json()
    return fetch


def test_a_claimed_badge_is_a_valid_hosted_2_0_assertion(client, auth, earned):
    auth.login("ada@example.com")
    public_id = claim(auth, earned[2].id)
    check_hosted_badge(_fetcher(client), f"http://localhost/ob2/assertions/{public_id}", "ada@example.com")
    issuer = client.get("/ob2/issuer").get_json()
    assert issuer["name"] == "Corp Learning" and issuer["email"] == "badges@corp.example"


def test_the_check_catches_a_wrong_recipient_and_a_revoked_assertion(client, auth, earned, admin):
    auth.login("ada@example.com")
    public_id = claim(auth, earned[2].id)
    url = f"http://localhost/ob2/assertions/{public_id}"
    with pytest.raises(SpecViolation, match="identity hash"):
        check_hosted_badge(_fetcher(client), url, "mallory@example.com")
    auth.logout()
    auth.login("admin@example.com")
    auth.post(f"/credentials/{public_id}/revoke", {"reason": "Left early."}, page=f"/credentials/{public_id}")
    with pytest.raises(SpecViolation, match="answered 410"):
        check_hosted_badge(_fetcher(client), url)


def test_the_check_refuses_an_assertion_missing_what_the_specification_requires(client, auth, earned):
    auth.login("ada@example.com")
    public_id = claim(auth, earned[2].id)
    url = f"http://localhost/ob2/assertions/{public_id}"
    assertion = client.get(url.removeprefix("http://localhost")).get_json()
    for field in ("recipient", "badge", "verification", "issuedOn"):
        broken = {key: value for key, value in assertion.items() if key != field}
        with pytest.raises(SpecViolation):
            check_assertion(broken, url)
