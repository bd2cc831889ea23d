"""Revoking sessions: a cookie copied before sign-out, a password reset, (de)activation or a role change
stops working; the CSRF token changes at sign-in."""
import pytest

from webapp.models import Role, User

from .conftest import PASSWORD, Auth, csrf_token


def copy_of_session(app, client):
    """A second browser holding a copy of `client`'s session cookie, as a thief would."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def signed_in_copy(app, client, auth, email):
    auth.login(email)
    thief = copy_of_session(app, client)
    assert thief.get("/dashboard").status_code == 200  # the copy works while the session lives
    return thief


@pytest.fixture
def admin_client(app, make_user):
    make_user("admin@example.com", Role.ADMIN)
    admin = app.test_client()
    Auth(admin).login("admin@example.com")
    return Auth(admin)


def test_cookie_copied_before_sign_out_is_refused_after_it(app, client, auth, make_user):
    make_user("ada@example.com")
    thief = signed_in_copy(app, client, auth, "ada@example.com")
    auth.logout()
    assert thief.get("/dashboard").status_code == 302
    assert client.get("/dashboard").status_code == 302


def test_sign_out_ends_every_session_of_the_account(app, client, auth, make_user):
    make_user("ada@example.com")
    auth.login("ada@example.com")
    laptop = app.test_client()
    Auth(laptop).login("ada@example.com")
    auth.logout()
    assert laptop.get("/dashboard").status_code == 302
    assert auth.login("ada@example.com").status_code == 303  # signing in again works
    assert client.get("/dashboard").status_code == 200


def test_sign_out_of_one_account_leaves_others_signed_in(app, client, auth, make_user):
    make_user("ada@example.com")
    make_user("bob@example.com")
    bob = app.test_client()
    Auth(bob).login("bob@example.com")
    auth.login("ada@example.com")
    auth.logout()
    assert bob.get("/dashboard").status_code == 200


@pytest.mark.parametrize("change, form", [
    ("password", {"password": "a brand new passphrase"}),
    ("active", {"active": "no"}),
    ("role", {"role": "lead"}),
])
def test_admin_change_revokes_the_accounts_sessions(app, client, auth, make_user, admin_client, change, form):
    user = make_user("ada@example.com")
    thief = signed_in_copy(app, client, auth, "ada@example.com")
    response = admin_client.post(f"/admin/users/{user.id}/{change}", form, page="/admin/users")
    assert response.status_code == 303
    assert client.get("/dashboard").status_code == 302
    assert thief.get("/dashboard").status_code == 302


def test_reactivation_does_not_revive_old_cookies(app, client, auth, make_user, admin_client):
    user = make_user("ada@example.com")
    thief = signed_in_copy(app, client, auth, "ada@example.com")
    admin_client.post(f"/admin/users/{user.id}/active", {"active": "no"}, page="/admin/users")
    admin_client.post(f"/admin/users/{user.id}/active", {"active": "yes"}, page="/admin/users")
    assert thief.get("/dashboard").status_code == 302
    assert auth.login("ada@example.com").status_code == 303  # the reactivated person signs in afresh


def test_setting_the_same_role_again_keeps_sessions(app, client, auth, make_user, admin_client):
    user = make_user("ada@example.com")
    auth.login("ada@example.com")
    admin_client.post(f"/admin/users/{user.id}/role", {"role": "employee"}, page="/admin/users")
    assert client.get("/dashboard").status_code == 200


def test_new_password_works_and_the_old_one_does_not(app, client, auth, make_user, admin_client):
    user = make_user("ada@example.com")
    admin_client.post(f"/admin/users/{user.id}/password", {"password": "a brand new passphrase"}, page="/admin/users")
    assert auth.login("ada@example.com", PASSWORD).status_code == 422
    assert auth.login("ada@example.com", "a brand new passphrase").status_code == 303


def test_malformed_session_ids_are_signed_out(app, client, make_user, session):
    from webapp.auth.sessions import user_of_session

    user = make_user("ada@example.com")
    assert user_of_session(session, f"{user.id}:0") is not None
    for bad in [str(user.id), f"{user.id}:1", f"{user.id}:-1", "²:0", f"{user.id}:0:0", f"{'9' * 40}:0", "", ":"]:
        assert user_of_session(session, bad) is None, bad


def test_csrf_token_changes_at_sign_in(client, auth, make_user):
    make_user("ada@example.com")
    before = csrf_token(client)
    auth.login("ada@example.com")
    after = csrf_token(client, "/dashboard")
    assert after != before
    # The token from before sign-in no longer passes a state-changing request.
    assert client.post("/logout", data={"csrf_token": before}).status_code == 400
    assert client.get("/dashboard").status_code == 200
    assert client.post("/logout", data={"csrf_token": after}).status_code == 303


def test_generation_is_stored_on_the_account(client, auth, make_user, session):
    user = make_user("ada@example.com")
    auth.login("ada@example.com")
    auth.logout()
    session.expire_all()
    assert session.get(User, user.id).session_generation == 1
