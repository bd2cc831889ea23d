"""Forgot password: the same answer for any address, a single-use link valid one hour, rate limits, and every
session of the account ends when the new password is set."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from webapp.models import PasswordReset, Role, utcnow

from .conftest import PASSWORD, Auth, csrf_token

LINK = re.compile(r"^http://localhost(/password/reset/\S+)$", re.MULTILINE)


def ask(client, email):
    return client.post("/password/forgot", data={"email": email, "csrf_token": csrf_token(client, "/password/forgot")})


def reset_path(message) -> str:
    return LINK.search(message.get_body(("plain",)).get_content()).group(1)


def choose(client, path, password="a brand new password"):
    return client.post(path, data={"password": password, "confirmation": password,
                                   "csrf_token": csrf_token(client, path)})


def test_sign_in_page_offers_forgot_password(client):
    assert 'href="/password/forgot"' in client.get("/login").get_data(as_text=True)


def test_same_answer_whether_or_not_the_address_has_an_account(client, make_user, run_jobs, smtp_server):
    make_user("ada@example.com")
    known, unknown = ask(client, "ada@example.com"), ask(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    def page(response):  # the page with the address typed and the session's CSRF token taken out
        text = response.get_data(as_text=True).replace("ada@example.com", "X").replace("nobody@example.com", "X")
        return re.sub(r'content="[^"]+"|"X-CSRFToken": "[^"]+"', "", text)

    assert page(known) == page(unknown)
    run_jobs()
    assert [message["To"] for message in smtp_server.messages()] == ["ada@example.com"]


def test_the_link_sets_a_new_password_once_and_ends_every_session(app, client, make_user, run_jobs, smtp_server):
    make_user("ada@example.com")
    other_device = app.test_client()
    Auth(other_device).login("ada@example.com")
    assert other_device.get("/dashboard").status_code == 200

    ask(client, "ada@example.com")
    run_jobs()
    path = reset_path(smtp_server.messages()[0])
    assert "Choose a new password" in client.get(path).get_data(as_text=True)
    response = choose(client, path)
    assert response.status_code == 303 and response.headers["Location"].endswith("/login")

    assert other_device.get("/dashboard").status_code == 302  # signed out there too
    auth = Auth(client)
    assert auth.login("ada@example.com", PASSWORD).status_code == 422
    assert auth.login("ada@example.com", "a brand new password").status_code == 303
    auth.logout()
    again = choose(client, path, "yet another password")
    assert again.status_code == 400 and "already used" in again.get_data(as_text=True)


def test_the_link_expires_after_an_hour(client, session, make_user, run_jobs, smtp_server):
    make_user("ada@example.com")
    ask(client, "ada@example.com")
    run_jobs()
    path = reset_path(smtp_server.messages()[0])
    reset = session.exec(select(PasswordReset)).one()
    reset.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    response = client.get(path)
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)


def test_odd_addresses_get_the_same_answer(client, make_user, run_jobs, smtp_server):
    make_user("ada@example.com")
    for odd in ("", "x" * 300, "ada@@example.com"):
        response = ask(client, odd)
        assert response.status_code == 200 and "If an account uses" in response.get_data(as_text=True)
    # A NUL character is refused before any look-up, whether or not the address exists: it tells nothing.
    for odd in ("ada@example.com\x00", "nobody@example.com\x00"):
        response = ask(client, odd)
        assert response.status_code == 400 and "NUL character" in response.get_data(as_text=True)
    run_jobs()
    assert smtp_server.messages() == []


def test_a_deactivated_account_gets_no_link(client, session, make_user, run_jobs, smtp_server):
    user = make_user("ada@example.com")
    user.is_active = False
    session.add(user)
    session.commit()
    assert ask(client, "ada@example.com").status_code == 200
    run_jobs()
    assert smtp_server.messages() == []


def test_at_most_three_links_an_hour_per_account(app, make_user, run_jobs, smtp_server):
    make_user("ada@example.com")
    for _ in range(4):  # from four different addresses, so only the per-account rule can stop the fourth
        response = ask(app.test_client(), "ada@example.com")
        assert response.status_code == 200 and "If an account uses" in response.get_data(as_text=True)
    run_jobs()
    assert len(smtp_server.messages()) == 3


def test_requests_are_rate_limited_per_address(client, make_user, run_jobs):
    statuses = [ask(client, f"person{number}@example.com").status_code for number in range(11)]
    assert statuses == [200] * 10 + [429]


def test_an_admin_setting_a_password_also_ends_the_sessions(app, client, auth, make_user):
    make_user("admin@example.com", Role.ADMIN)
    ada = make_user("ada@example.com")
    ada_client = app.test_client()
    Auth(ada_client).login("ada@example.com")
    auth.login("admin@example.com")
    auth.post(f"/admin/users/{ada.id}/password", {"password": "set by the admin"}, page="/admin/users")
    assert ada_client.get("/dashboard").status_code == 302
