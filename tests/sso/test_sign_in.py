"""Signing in through the organisation's OpenID provider, end to end against a real provider process."""
from __future__ import annotations

import base64
import hashlib

import pytest
from sqlmodel import select

from webapp.models import Role, User, UserIdentity

from ..conftest import PASSWORD, csrf_token
from ..oidc_provider import callback_path, query


def _users(session, email):
    session.expire_all()
    return session.exec(select(User).where(User.email == email)).all()


def test_first_sign_in_creates_the_account_keyed_on_issuer_and_subject(sso, provider, subject, client, session):
    provider.set_user(subject, email=f"{subject}@corp.example", email_verified=True, name="Grace Hopper")
    response = sso.sign_in(subject)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/dashboard")
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert "Grace Hopper" in page.get_data(as_text=True)
    [user] = _users(session, f"{subject}@corp.example")
    assert user.role is Role.EMPLOYEE
    identity = session.exec(select(UserIdentity).where(UserIdentity.user_id == user.id)).one()
    assert (identity.issuer, identity.subject) == (provider.issuer, subject)


def test_the_account_is_found_by_subject_when_the_email_changes(sso, provider, subject, client, auth, session):
    provider.set_user(subject, email=f"{subject}@corp.example", email_verified=True, name="Grace")
    sso.sign_in(subject)
    [user] = _users(session, f"{subject}@corp.example")
    auth.logout()
    provider.set_user(subject, email=f"{subject}-renamed@corp.example", email_verified=True, name="Grace")
    assert sso.sign_in(subject).status_code == 303
    assert client.get("/dashboard").status_code == 200
    assert _users(session, f"{subject}-renamed@corp.example") == []  # no second account
    session.expire_all()
    assert session.exec(select(UserIdentity).where(UserIdentity.subject == subject)).one().user_id == user.id


def test_authorization_request_carries_pkce_state_and_nonce(sso, client):
    authorize = query(sso.start())
    assert authorize["response_type"] == "code"
    assert authorize["code_challenge_method"] == "S256"
    assert authorize["state"] and authorize["nonce"]
    with client.session_transaction() as cookie_session:
        [saved] = [value["data"] for key, value in cookie_session.items() if key.startswith("_state_")]
    verifier = saved["code_verifier"]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert authorize["code_challenge"] == challenge
    assert saved["nonce"] == authorize["nonce"]


def test_replayed_callback_is_refused_with_400(sso, provider, subject, client, auth):
    provider.set_user(subject, email=f"{subject}@corp.example", email_verified=True)
    callback = sso.callback_for(subject)
    assert client.get(callback).status_code == 303
    auth.logout()
    replay = client.get(callback)
    assert replay.status_code == 400
    assert "already used" in replay.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302  # still signed out


def test_replayed_callback_with_the_old_cookie_is_refused_by_the_used_code(sso, provider, subject, app, client):
    """Cookie sessions carry the state: an attacker replaying the cookie from before the callback still
    fails, because the provider refuses an authorization code the second time."""
    provider.set_user(subject, email=f"{subject}@corp.example", email_verified=True)
    callback = sso.callback_for(subject)
    old_cookie = client.get_cookie("session").value
    assert client.get(callback).status_code == 303
    attacker = app.test_client()
    attacker.set_cookie("session", old_cookie)
    replay = attacker.get(callback)
    assert replay.status_code == 400
    assert attacker.get("/dashboard").status_code == 302


@pytest.mark.parametrize("callback", [
    "/login/sso/callback?code=forged&state=forged",
    "/login/sso/callback?code=forged",
    "/login/sso/callback",
    "/login/sso/callback?error=access_denied&state=x",
])
def test_forged_callback_is_refused_with_400_not_500(client, callback):
    response = client.get(callback)
    assert response.status_code == 400
    assert client.get("/dashboard").status_code == 302


def test_callback_with_another_sessions_state_is_refused(sso, provider, subject, app):
    """A code and state made for one browser, delivered to another (login CSRF), sign nobody in."""
    provider.set_user(subject, email=f"{subject}@corp.example", email_verified=True)
    callback = sso.callback_for(subject)
    victim = app.test_client()
    victim.get("/login/sso")  # the victim has a sign-in of their own under way
    assert victim.get(callback).status_code == 400
    assert victim.get("/dashboard").status_code == 302


def test_cancelling_at_the_provider_says_so(sso, provider, client):
    response = client.get(callback_path(provider.deny(sso.start())))
    assert response.status_code == 400
    assert "cancelled" in response.get_data(as_text=True)


def test_existing_account_is_not_taken_over_by_an_unverified_email(sso, provider, subject, client, make_user,
                                                                      session):
    existing = make_user("ada@corp.example", Role.ADMIN)
    provider.set_user(subject, email="ada@corp.example", email_verified=False)
    response = sso.sign_in(subject)
    assert response.status_code == 403
    assert "cannot be linked" in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302
    session.expire_all()
    assert session.exec(select(UserIdentity)).all() == []
    assert [user.id for user in _users(session, "ada@corp.example")] == [existing.id]


def test_existing_account_is_linked_once_when_the_provider_verified_the_email(sso, provider, client, auth,
                                                                              make_user, session):
    existing = make_user("ada@corp.example")
    provider.set_user("ada-subject", email="ada@corp.example", email_verified=True)
    assert sso.sign_in("ada-subject").status_code == 303
    assert client.get("/dashboard").status_code == 200
    auth.logout()
    # Another subject of the same provider claiming the same address later is refused.
    provider.set_user("impostor", email="ada@corp.example", email_verified=True)
    assert sso.sign_in("impostor").status_code == 403
    session.expire_all()
    links = session.exec(select(UserIdentity)).all()
    assert [(link.subject, link.user_id) for link in links] == [("ada-subject", existing.id)]


def test_sign_in_without_an_email_claim_is_refused_clearly(sso, provider, subject, session):
    provider.set_user(subject, name="No Mail")
    response = sso.sign_in(subject)
    assert response.status_code == 403
    assert "email" in response.get_data(as_text=True)
    session.expire_all()
    assert session.exec(select(UserIdentity)).all() == []


def test_deactivated_account_cannot_sign_in(sso, provider, subject, client, auth, session):
    provider.set_user(subject, email=f"{subject}@corp.example", email_verified=True)
    sso.sign_in(subject)
    auth.logout()
    [user] = _users(session, f"{subject}@corp.example")
    user.is_active = False
    session.add(user)
    session.commit()
    response = sso.sign_in(subject)
    assert response.status_code == 403
    assert "deactivated" in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_next_page_is_kept_through_the_provider(sso, provider, subject, client):
    provider.set_user(subject, email=f"{subject}@corp.example", email_verified=True)
    authorize = sso.start(next_path="/library")
    response = client.get(callback_path(provider.approve(authorize, subject)))
    assert response.headers["Location"].endswith("/library")


def test_sign_in_page_offers_single_sign_on(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with your organisation" in page
    assert 'name="password"' in page  # passwords still work by default


class TestAllowedDomains:
    @pytest.fixture
    def settings_overrides(self, provider):
        return dict(oidc_issuer=provider.issuer, oidc_client_id="learnloop", oidc_client_secret="s3cret",
                    oidc_allowed_email_domains="corp.example, @Subsidiary.example")

    def test_account_is_created_for_an_allowed_domain(self, sso, provider, subject, session):
        provider.set_user(subject, email=f"{subject}@subsidiary.example", email_verified=True)
        assert sso.sign_in(subject).status_code == 303
        assert len(_users(session, f"{subject}@subsidiary.example")) == 1

    def test_no_account_is_created_for_another_domain(self, sso, provider, subject, client, session):
        provider.set_user(subject, email=f"{subject}@gmail.example", email_verified=True)
        response = sso.sign_in(subject)
        assert response.status_code == 403
        assert "not created automatically" in response.get_data(as_text=True)
        assert _users(session, f"{subject}@gmail.example") == []
        assert client.get("/dashboard").status_code == 302


class TestPasswordSignInSwitchedOff:
    @pytest.fixture
    def settings_overrides(self, provider):
        return dict(oidc_issuer=provider.issuer, oidc_client_id="learnloop", oidc_client_secret="s3cret",
                    password_sign_in=False, break_glass_admin_email="Root@Corp.example")

    def test_an_employee_password_is_refused(self, client, auth, make_user):
        make_user("emp@corp.example")
        response = auth.login("emp@corp.example")
        assert response.status_code == 422
        assert "only for the emergency admin" in response.get_data(as_text=True)
        assert client.get("/dashboard").status_code == 302

    def test_another_admin_password_is_refused_too(self, client, auth, make_user):
        make_user("admin@corp.example", Role.ADMIN)
        assert auth.login("admin@corp.example").status_code == 422
        assert client.get("/dashboard").status_code == 302

    def test_the_break_glass_admin_still_signs_in_with_a_password(self, client, auth, make_user):
        make_user("root@corp.example", Role.ADMIN)
        assert auth.login("root@corp.example").status_code == 303
        assert client.get("/dashboard").status_code == 200

    def test_the_break_glass_email_must_belong_to_an_admin(self, client, auth, make_user):
        make_user("root@corp.example", Role.EMPLOYEE)
        assert auth.login("root@corp.example").status_code == 422

    def test_a_wrong_break_glass_password_gets_the_same_answer(self, client, make_user):
        make_user("root@corp.example", Role.ADMIN)
        token = csrf_token(client)
        wrong = client.post("/login", data={"email": "root@corp.example", "password": "wrong password",
                                            "csrf_token": token})
        other = client.post("/login", data={"email": "nobody@corp.example", "password": PASSWORD,
                                            "csrf_token": token})
        assert wrong.status_code == other.status_code == 422
        assert "only for the emergency admin" in wrong.get_data(as_text=True)

    def test_sign_in_page_leads_with_single_sign_on(self, client):
        page = client.get("/login").get_data(as_text=True)
        assert page.index("Sign in with your organisation") < page.index('name="password"')
        assert "Emergency admin sign-in" in page


class TestProviderUnreachable:
    @pytest.fixture
    def settings_overrides(self):
        from ..support import free_port

        return dict(oidc_issuer=f"http://127.0.0.1:{free_port()}", oidc_client_id="learnloop",
                    oidc_client_secret="s3cret")

    def test_starting_sign_in_answers_503_with_a_message(self, client):
        response = client.get("/login/sso")
        assert response.status_code == 503
        assert "cannot be reached" in response.get_data(as_text=True)


def test_without_an_issuer_there_is_no_single_sign_on(database_url):
    from webapp import create_app
    from webapp.settings import load_settings

    app = create_app(load_settings(database_url=database_url, secret_key="x", outbox_pump=False))
    client = app.test_client()
    assert client.get("/login/sso").status_code == 404
    assert client.get("/login/sso/callback?code=x&state=y").status_code == 404
    assert "Sign in with your organisation" not in client.get("/login").get_data(as_text=True)


class TestRedirectUriBehindAProxy:
    @pytest.fixture
    def settings_overrides(self, provider):
        return dict(oidc_issuer=provider.issuer, oidc_client_id="learnloop", oidc_client_secret="s3cret",
                    oidc_redirect_uri="https://learnloop.corp.example/login/sso/callback")

    def test_the_configured_callback_url_is_sent_to_the_provider(self, sso):
        assert query(sso.start())["redirect_uri"] == "https://learnloop.corp.example/login/sso/callback"


def test_a_first_visit_through_sso_is_greeted_as_one_then_welcome_back(sso, provider, subject, client, auth):
    """As with a password: a newcomer is welcomed (with the first-run welcome), "Welcome back" only later."""
    provider.set_user(subject, email=f"{subject}@corp.example", email_verified=True, name="Grace Hopper")
    assert sso.sign_in(subject).status_code == 303
    first = client.get("/dashboard").get_data(as_text=True)
    assert "Welcome to Learnloop, Grace Hopper." in first and "Welcome back" not in first
    assert 'class="welcome"' in first
    auth.logout()
    assert sso.sign_in(subject).status_code == 303
    again = client.get("/dashboard").get_data(as_text=True)
    assert "Welcome back, Grace Hopper." in again and "Welcome to Learnloop, Grace" not in again
