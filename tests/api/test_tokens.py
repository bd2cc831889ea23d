"""Tokens: shown once, kept as a hash, scoped no higher than the role, expiring, revocable, noting their last use."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlmodel import select

from webapp.api.tokens import create_token, live_token, revoke_token
from webapp.problems import Invalid
from webapp.models import ApiToken, Role, TokenScope, utcnow

from .conftest import bearer, make_token


def test_only_a_hash_of_the_token_is_stored(session, make_user):
    user = make_user("ada@example.com")
    secret = make_token(session, user)
    assert secret.startswith("llp_") and len(secret) > 40
    row = session.exec(select(ApiToken)).one()
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {str(value) for value in row.model_dump().values()}


def test_an_employee_cannot_make_an_admin_token(session, make_user):
    user = make_user("ada@example.com")
    with pytest.raises(Invalid) as refused:
        create_token(session, user, "x", "admin", 30, 365)
    assert "scope" in refused.value.by_field()
    admin = make_user("boss@example.com", role=Role.ADMIN)
    assert create_token(session, admin, "x", "admin", 30, 365).token.scope == TokenScope.ADMIN


@pytest.mark.parametrize("days", ["0", "366", "-1", "ten", "", "9" * 30])
def test_a_life_outside_one_to_the_maximum_is_refused(session, make_user, days):
    user = make_user("ada@example.com")
    with pytest.raises(Invalid) as refused:
        create_token(session, user, "x", "read", days, 365)
    assert set(refused.value.by_field()) == {"days"}


def test_a_token_needs_a_name(session, make_user):
    with pytest.raises(Invalid) as refused:
        create_token(session, make_user("ada@example.com"), "  ", "read", 30, 365)
    assert set(refused.value.by_field()) == {"name"}


def test_expired_revoked_and_deactivated_tokens_do_not_work(app, session, make_user):
    user = make_user("ada@example.com")
    client = app.test_client()
    live = make_token(session, user)
    expired = make_token(session, user, days=1, now=utcnow() - timedelta(days=2))
    revoked = make_token(session, user)
    assert client.get("/api/v1/me", headers=bearer(live)).status_code == 200
    assert client.get("/api/v1/me", headers=bearer(expired)).status_code == 401
    token_id = session.exec(select(ApiToken.id).order_by(ApiToken.id.desc())).first()
    revoke_token(session, user, token_id)
    session.commit()
    assert client.get("/api/v1/me", headers=bearer(revoked)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(live + "x")).status_code == 401
    user.is_active = False
    session.add(user)
    session.commit()
    assert client.get("/api/v1/me", headers=bearer(live)).status_code == 401


def test_someone_else_cannot_revoke_my_token(session, make_user):
    mine = make_user("ada@example.com")
    other = make_user("bo@example.com", role=Role.ADMIN)
    make_token(session, mine)
    token = session.exec(select(ApiToken)).one()
    assert revoke_token(session, other, token.id) is None  # even an admin: personal tokens are their owner's
    assert live_token(session, make_token(session, mine)) is not None


def test_use_is_noted_to_the_minute(app, session, make_user):
    user = make_user("ada@example.com")
    secret = make_token(session, user)
    client = app.test_client()
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    session.expire_all()
    first = session.exec(select(ApiToken)).one().last_used_at
    assert first is not None
    client.get("/api/v1/me", headers=bearer(secret))
    session.expire_all()
    assert session.exec(select(ApiToken)).one().last_used_at == first
