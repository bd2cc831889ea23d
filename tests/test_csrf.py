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
