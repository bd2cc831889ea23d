"""The token pages: a person makes a token on the profile (shown once), a refused form keeps the input and makes
nothing, revoking works; admins make service tokens that every admin sees and may revoke."""
from __future__ import annotations

import re

import pytest
from sqlmodel import select

from webapp.models import ApiToken, Role
from webapp.settings import SettingsError, load_settings

from .conftest import bearer

SECRET = re.compile(r'value="(llp_[^"]+)"')


def _tokens(session) -> list[ApiToken]:
    session.expire_all()
    return list(session.exec(select(ApiToken).order_by(ApiToken.id)))


def test_a_token_made_on_the_profile_is_shown_once_and_works(app, session, auth, make_user):
    make_user("ada@example.com")
    auth.login("ada@example.com")
    made = auth.post("/profile/api-tokens", {"name": "LMS sync", "scope": "write", "days": "30"}, page="/profile")
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    secret = SECRET.search(made.get_data(as_text=True)).group(1)
    again = auth.client.get("/profile").get_data(as_text=True)
    assert secret not in again and "LMS sync" in again and secret[4:10] in again
    token = _tokens(session)[0]
    assert f'action="/profile/api-tokens/{token.id}/revoke"' in again and 'aria-label="Revoke the token LMS sync"' in again
    assert app.test_client().get("/api/v1/me", headers=bearer(secret)).json["token_scope"] == "write"


@pytest.mark.parametrize("form, field", [
    ({"name": "", "scope": "read", "days": "30"}, "Give the token a name"),
    ({"name": "x", "scope": "admin", "days": "30"}, "Choose one of: read, write"),
    ({"name": "x", "scope": "read", "days": "366"}, "A whole number of days from 1 to 365"),
])
def test_a_refused_token_form_says_why_keeps_the_input_and_makes_nothing(session, auth, make_user, form, field):
    make_user("ada@example.com")
    auth.login("ada@example.com")
    refused = auth.post("/profile/api-tokens", {**form, "name": form["name"] or ""}, page="/profile")
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert field in html and f'value="{form["days"]}"' in html
    assert _tokens(session) == []


def test_revoking_my_token_stops_it(app, session, auth, make_user):
    make_user("ada@example.com")
    auth.login("ada@example.com")
    made = auth.post("/profile/api-tokens", {"name": "cli", "scope": "read", "days": "7"}, page="/profile")
    secret = SECRET.search(made.get_data(as_text=True)).group(1)
    token = _tokens(session)[0]
    assert auth.post(f"/profile/api-tokens/{token.id}/revoke", page="/profile").status_code == 303
    assert _tokens(session)[0].revoked_at is not None
    assert app.test_client().get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_service_tokens_act_as_their_admin_and_any_admin_revokes_them(app, session, make_user):
    from ..conftest import Auth

    boss = make_user("boss@example.com", role=Role.ADMIN)
    make_user("other@example.com", role=Role.ADMIN)
    first = Auth(app.test_client())
    first.login("boss@example.com")
    made = first.post("/admin/api-tokens", {"name": "Warehouse", "scope": "admin", "days": "90"}, page="/admin/api-tokens")
    secret = SECRET.search(made.get_data(as_text=True)).group(1)
    assert app.test_client().get("/api/v1/exports/completions", headers=bearer(secret)).status_code == 200
    token = _tokens(session)[0]
    assert token.service and "Warehouse" not in first.client.get("/profile").get_data(as_text=True)
    second = Auth(app.test_client())
    second.login("other@example.com")
    listing = second.client.get("/admin/api-tokens").get_data(as_text=True)
    assert "Warehouse" in listing and f'action="/admin/api-tokens/{token.id}/revoke"' in listing
    assert f"<td>{boss.display_name}</td>" in listing
    assert second.post(f"/admin/api-tokens/{token.id}/revoke", page="/admin/api-tokens").status_code == 303
    assert app.test_client().get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_a_bad_rate_limit_setting_stops_start_up_naming_it():
    with pytest.raises(SettingsError, match="API_RATE_LIMIT"):
        load_settings(api_rate_limit="lots")
