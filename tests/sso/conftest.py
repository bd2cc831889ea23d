"""Single sign-on tests run against a real OpenID provider process (see tests/oidc_provider.py)."""
from __future__ import annotations

import uuid

import pytest

from ..oidc_provider import callback_path


@pytest.fixture
def provider(oidc_provider):
    return oidc_provider


@pytest.fixture
def settings_overrides(provider):
    return dict(oidc_issuer=provider.issuer, oidc_client_id="learnloop", oidc_client_secret="s3cret")


@pytest.fixture
def subject() -> str:
    """A subject of this test's own: the provider is shared by the whole run."""
    return f"person-{uuid.uuid4().hex[:10]}"


class SingleSignOn:
    """Goes through the whole flow as a browser would: Learnloop, the provider's page, back to Learnloop."""

    def __init__(self, client, provider):
        self.client, self.provider = client, provider

    def start(self, next_path: str | None = None) -> str:
        """The provider's authorize URL Learnloop sends the browser to."""
        response = self.client.get("/login/sso" + (f"?next={next_path}" if next_path else ""))
        assert response.status_code == 302, response.status_code
        return response.headers["Location"]

    def callback_for(self, subject: str) -> str:
        return callback_path(self.provider.approve(self.start(), subject))

    def sign_in(self, subject: str):
        return self.client.get(self.callback_for(subject))


@pytest.fixture
def sso(client, provider):
    return SingleSignOn(client, provider)
