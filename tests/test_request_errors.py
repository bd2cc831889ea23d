"""A failed htmx request is marked so the page shows its message beside the form, not in place of it;
a session that ended while a form was open gets a message, not the sign-in page swapped into the form."""
from webapp.models import Role

from .conftest import csrf_token

HTMX = {"HX-Request": "true"}


def test_an_expired_form_sent_by_htmx_is_marked_as_a_failed_request(client, make_user):
    make_user("ada@example.com")
    client.get("/login")
    response = client.post("/login", data={"email": "ada@example.com", "password": "x", "csrf_token": "stale"},
                           headers=HTMX)
    assert response.status_code == 400
    assert response.headers["X-Request-Failed"] == "400"
    assert "The form had expired" in response.get_data(as_text=True)


def test_a_plain_form_post_gets_the_whole_error_page_unmarked(client):
    client.get("/login")
    response = client.post("/login", data={"email": "ada@example.com", "password": "x", "csrf_token": "stale"})
    assert response.status_code == 400
    assert "X-Request-Failed" not in response.headers
    assert "<html" in response.get_data(as_text=True)


def test_a_form_answered_with_its_own_errors_is_not_marked(client, auth, make_user):
    make_user("ada@example.com")
    response = client.post("/login", headers=HTMX, data={"email": "ada@example.com", "password": "wrong guess",
                                                          "csrf_token": csrf_token(client)})
    assert response.status_code == 422 and "X-Request-Failed" not in response.headers


def test_an_htmx_request_after_the_session_ended_gets_a_message_not_the_sign_in_page(app, client, auth, make_user):
    make_user("ada@example.com", Role.EMPLOYEE)
    auth.login("ada@example.com")
    token = csrf_token(client, "/dashboard")
    other_tab = app.test_client()
    other_tab.set_cookie("session", client.get_cookie("session").value)
    auth.logout()  # signed out elsewhere: every session of the account ends
    response = other_tab.post("/play/missions/1/complete", data={"evidence_text": "my notes", "csrf_token": token},
                              headers={**HTMX, "X-CSRFToken": token})
    assert response.status_code == 401
    assert response.headers["X-Request-Failed"] == str(response.status_code)
    assert 'id="sign-in-form"' not in response.get_data(as_text=True)


def test_signed_out_htmx_get_is_401_with_a_sign_in_link(client):
    response = client.get("/dashboard", headers=HTMX)
    assert response.status_code == 401
    assert response.headers["X-Request-Failed"] == "401"
    assert 'href="/login"' in response.get_data(as_text=True)
    plain = client.get("/dashboard")
    assert plain.status_code == 302 and "/login?next=%2Fdashboard" in plain.headers["Location"]
