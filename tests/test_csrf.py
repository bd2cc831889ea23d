from sqlmodel import select

from webapp.jobs import enqueue
from webapp.models import JobStatus, OutboxJob, Role

from .conftest import PASSWORD, csrf_token


def test_sign_in_without_token_is_refused_and_signs_nobody_in(client, make_user):
    make_user("ada@example.com")
    response = client.post("/login", data={"email": "ada@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_sign_in_with_forged_token_is_refused(client, make_user):
    make_user("ada@example.com")
    client.get("/login")
    response = client.post("/login", data={"email": "ada@example.com", "password": PASSWORD, "csrf_token": "forged"})
    assert response.status_code == 400


def test_sign_out_without_token_keeps_the_session(client, auth, make_user):
    make_user("ada@example.com")
    auth.login("ada@example.com")
    assert client.post("/logout").status_code == 400
    assert client.get("/dashboard").status_code == 200


def test_htmx_post_without_header_is_refused_and_changes_nothing(client, auth, make_user, session):
    make_user("admin@example.com", Role.ADMIN)
    job = enqueue(session, "notifications.send", "k1", user_id=1, text="hi")
    job.status = JobStatus.FAILED
    session.commit()
    auth.login("admin@example.com")
    response = client.post(f"/admin/jobs/{job.id}/retry", headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert "<html" not in response.get_data(as_text=True)  # a fragment for htmx
    session.expire_all()
    assert session.exec(select(OutboxJob)).one().status == JobStatus.FAILED


def test_htmx_post_with_header_token_is_accepted(client, auth, make_user, session):
    make_user("admin@example.com", Role.ADMIN)
    job = enqueue(session, "notifications.send", "k1", user_id=1, text="hi")
    job.status = JobStatus.FAILED
    session.commit()
    auth.login("admin@example.com")
    token = csrf_token(client, "/admin/jobs")
    response = client.post(f"/admin/jobs/{job.id}/retry", headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 303
    session.expire_all()
    assert session.exec(select(OutboxJob)).one().status == JobStatus.PENDING


def test_every_page_carries_the_token_for_htmx(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'hx-headers=\'{"X-CSRFToken": "' in page


def test_emailed_links_refuse_a_post_without_token_and_change_nothing(client, session, make_user):
    """A forged form on another site cannot set the password of someone holding a valid link."""
    from webapp.auth import links
    from webapp.auth.accounts import UNUSABLE_PASSWORD
    from webapp.models import Invitation, PasswordReset, User, utcnow
    from datetime import timedelta

    ada = make_user("ada@example.com")
    invited = User(email="nia@example.com", display_name="Nia", password_hash=UNUSABLE_PASSWORD)
    session.add(invited)
    session.flush()
    invitation = Invitation(user_id=invited.id, nonce="n1", expires_at=utcnow() + timedelta(days=7))
    reset = PasswordReset(user_id=ada.id, nonce="n2", expires_at=utcnow() + timedelta(hours=1))
    session.add_all([invitation, reset])
    session.commit()
    invite_path = "/invitations/" + links.sign("test-secret", "invitation", "n1")
    reset_path = "/password/reset/" + links.sign("test-secret", "password-reset", "n2")
    assert client.get(invite_path).status_code == 200 and client.get(reset_path).status_code == 200
    for path in (invite_path, reset_path):
        response = client.post(path, data={"password": "attacker chose this", "confirmation": "attacker chose this"})
        assert response.status_code == 400
    assert client.post("/password/forgot", data={"email": "ada@example.com"}).status_code == 400
    session.expire_all()
    assert session.get(Invitation, invitation.id).accepted_at is None
    assert session.get(PasswordReset, reset.id).used_at is None
    assert session.get(User, invited.id).password_hash == UNUSABLE_PASSWORD
    assert len(session.exec(select(PasswordReset)).all()) == 1
