"""Helpers for API tests: make a token for a user straight through the rule, and the header that sends it."""
from __future__ import annotations

from datetime import datetime

import pytest

from webapp.api.tokens import create_token
from webapp.models import TokenScope, User


def make_token(session, user: User, scope: TokenScope | str = TokenScope.READ, days: int = 30, name: str = "test",
               service: bool = False, now: datetime | None = None) -> str:
    """A live token of `user` (committed); returns the secret, as the profile page would show it once."""
    value = scope.value if isinstance(scope, TokenScope) else scope
    new = create_token(session, user, name, value, days, 3650, service=service, now=now)
    session.commit()
    return new.secret


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def token_for(session):
    """token_for(user, scope) -> secret."""
    def make(user: User, scope: TokenScope | str = TokenScope.READ, **kwargs) -> str:
        return make_token(session, user, scope, **kwargs)

    return make
