"""Invitations: one person or a CSV, an emailed single-use link valid 7 days, resend, revoke, accept."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from webapp.auth.accounts import UNUSABLE_PASSWORD
from webapp.models import Email, Invitation, Membership, Role, Team, User, utcnow

from ..conftest import csrf_token

DATA = Path(__file__).parent / "data"
LINK = re.compile(r"^http://localhost(/invitations/\S+)$", re.MULTILINE)


def invitation_path(message) -> str:
    """The invitation link of an email, as the person would click it."""
    text = message.get_body(("plain",)).get_content()
    return LINK.search(text).group(1)


def team(session, name="Platform") -> Team:
    row = Team(name=name, slug=name.lower())
    session.add(row)
    session.commit()
    return row


def invite(auth, **fields):
    data = {"email": "nia@example.com", "name": "Nia", "role": "employee", "team": ""}
    data.update(fields)
    return auth.post("/admin/invitations", data, page="/admin/users")


def accept(client, path, password="a long new password", confirmation=None):
    return client.post(path, data={"password": password, "confirmation": confirmation or password,
                                   "csrf_token": csrf_token(client, path)})


def test_invited_person_follows_the_emailed_link_and_lands_on_the_dashboard_with_their_team(
        app, client, session, admin, auth, run_jobs, smtp_server):
    platform = team(session)
    assert invite(auth, team=str(platform.id)).status_code == 303
    run_jobs()
    [message] = smtp_server.messages()
    assert message["To"] == "nia@example.com"
    assert message.get_body(("html",)) is not None and message.get_body(("plain",)) is not None
    path = invitation_path(message)
    auth.logout()

    nia = session.exec(select(User).where(User.email == "nia@example.com")).one()
    assert nia.password_hash == UNUSABLE_PASSWORD  # nothing to guess before they choose one
    assert session.exec(select(Membership).where(Membership.user_id == nia.id)).one().team_id == platform.id
    assert "choose your password" in client.get(path).get_data(as_text=True)
    response = accept(client, path)
    assert response.status_code == 303 and response.headers["Location"].endswith("/dashboard")
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "Welcome to Learnloop, Nia." in dashboard and "Platform" in dashboard
    # They can sign in later with the password they chose.
    auth.logout()
    assert auth.login("nia@example.com", "a long new password").status_code == 303


def test_the_link_works_once(client, session, admin, auth, run_jobs, smtp_server):
    invite(auth)
    run_jobs()
    path = invitation_path(smtp_server.messages()[0])
    auth.logout()
    assert accept(client, path).status_code == 303
    auth.logout()
    again = client.get(path)
    assert again.status_code == 400 and "already used" in again.get_data(as_text=True)
    assert accept(client, path, "another password here").status_code == 400
    assert auth.login("nia@example.com", "another password here").status_code == 422


def test_the_link_expires_after_seven_days(client, session, admin, auth, run_jobs, smtp_server):
    invite(auth)
    run_jobs()
    path = invitation_path(smtp_server.messages()[0])
    invitation = session.exec(select(Invitation)).one()
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    response = client.get(path)
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)


def test_a_forged_or_damaged_link_is_refused(client, session, admin, auth, run_jobs, smtp_server):
    invite(auth)
    run_jobs()
    path = invitation_path(smtp_server.messages()[0])
    for bad in (path[:-3] + "abc", "/invitations/WzEsICJ4Il0.abc.def", "/invitations/%00"):
        response = client.get(bad)
        assert response.status_code in (400, 404), bad
    assert session.exec(select(Invitation)).one().accepted_at is None


def test_password_rules_apply_and_a_refused_password_accepts_nothing(client, session, admin, auth, run_jobs,
                                                                    smtp_server):
    invite(auth)
    run_jobs()
    path = invitation_path(smtp_server.messages()[0])
    auth.logout()
    short = accept(client, path, "short")
    assert short.status_code == 422 and "at least 10 characters" in short.get_data(as_text=True)
    common = accept(client, path, "password123")
    assert common.status_code == 422 and "common" in common.get_data(as_text=True)
    differ = accept(client, path, "a long new password", "a different one!")
    assert differ.status_code == 422 and "differ" in differ.get_data(as_text=True)
    session.expire_all()
    assert session.exec(select(Invitation)).one().accepted_at is None
    assert session.exec(select(User).where(User.email == "nia@example.com")).one().password_hash == UNUSABLE_PASSWORD


def test_resend_replaces_the_link(client, session, admin, auth, run_jobs, smtp_server):
    invite(auth)
    run_jobs()
    old = invitation_path(smtp_server.messages()[0])
    invitation = session.exec(select(Invitation)).one()
    assert auth.post(f"/admin/invitations/{invitation.id}/resend", page="/admin/users").status_code == 303
    run_jobs()
    assert len(smtp_server.messages()) == 2
    new = invitation_path(smtp_server.messages()[1])
    auth.logout()
    assert client.get(old).status_code == 400
    assert accept(client, new).status_code == 303


def test_revoke_stops_the_link_and_the_account(client, session, admin, auth, run_jobs, smtp_server):
    invite(auth)
    run_jobs()
    path = invitation_path(smtp_server.messages()[0])
    invitation = session.exec(select(Invitation)).one()
    assert auth.post(f"/admin/invitations/{invitation.id}/revoke", page="/admin/users").status_code == 303
    session.expire_all()
    assert not session.get(User, invitation.user_id).is_active
    response = client.get(path)
    assert response.status_code == 400 and "withdrawn" in response.get_data(as_text=True)


def test_an_accepted_invitation_cannot_be_resent_or_revoked(client, session, admin, auth, run_jobs, smtp_server):
    invite(auth)
    run_jobs()
    path = invitation_path(smtp_server.messages()[0])
    auth.logout()
    accept(client, path)
    auth.logout()
    auth.login("admin@example.com")
    invitation = session.exec(select(Invitation)).one()
    response = auth.post(f"/admin/invitations/{invitation.id}/revoke", page="/admin/users")
    assert response.status_code == 422 and "already accepted" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(User, invitation.user_id).is_active


def test_people_page_shows_who_has_not_accepted_yet(client, session, admin, auth, run_jobs, smtp_server, make_user):
    make_user("old@example.com")
    invite(auth, email="new@example.com", name="Newcomer")
    page = client.get("/admin/users?invited=1").get_data(as_text=True)
    assert "new@example.com" in page and "Not accepted yet" in page
    assert "old@example.com" not in page
    assert "1 user(s) who have not accepted their invitation yet" in page


def test_inviting_a_taken_address_or_without_a_name_changes_nothing(client, session, admin, auth, run_jobs):
    invite(auth, email="admin@example.com")
    response = invite(auth, email="admin@example.com")
    assert response.status_code == 422 and "already exists" in response.get_data(as_text=True)
    response = invite(auth, name="  ")
    assert response.status_code == 422 and "is required" in response.get_data(as_text=True)
    for bad_team in ("99999999999999999999", "²", "0"):
        assert invite(auth, team=bad_team).status_code == 422
    response = invite(auth, name="Nu\x00ll")
    assert response.status_code == 400 and "NUL character" in response.get_data(as_text=True)
    assert session.exec(select(Invitation)).all() == [] and session.exec(select(Email)).all() == []


def test_csv_import_invites_each_created_person_without_hashing_a_password(client, session, admin, auth, run_jobs,
                                                                           smtp_server, make_user):
    make_user("existing@example.com", team="platform")
    response = auth.post("/admin/users/import", {"file": (open(DATA / "people.csv", "rb"), "people.csv")},
                         page="/admin/users/import", content_type="multipart/form-data")
    assert response.status_code == 303
    run_jobs()
    created = session.exec(select(User).where(User.email.in_(["ada@example.com", "bo@example.com"]))).all()
    assert {user.password_hash for user in created} == {UNUSABLE_PASSWORD}
    messages = {message["To"]: message for message in smtp_server.messages()}
    assert set(messages) == {"ada@example.com", "bo@example.com"}
    auth.logout()
    assert accept(client, invitation_path(messages["bo@example.com"])).status_code == 303
    bo = session.exec(select(User).where(User.email == "bo@example.com")).one()
    assert bo.role is Role.LEAD
