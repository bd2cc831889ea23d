"""Error pages come back whole to browsers and as fragments to htmx, with the right status."""
import pytest
from werkzeug.exceptions import Forbidden

from webapp.models import Role
from webapp.problems import NotFound

from .conftest import build_app


@pytest.fixture
def app(settings):
    return build_app(settings)  # these tests add routes to their app


@pytest.fixture
def app_with_failing_routes(app):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret-detail-42")

    @app.get("/bad")
    def bad():
        from flask import abort

        abort(400)

    @app.get("/database-gone")
    def database_gone():
        from sqlalchemy.exc import OperationalError

        raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))

    @app.get("/transaction-lost")
    def transaction_lost():
        from sqlalchemy.exc import PendingRollbackError

        raise PendingRollbackError("the connection died mid-transaction")

    @app.get("/forbidden")
    def forbidden():
        raise Forbidden()

    @app.get("/rule-says-not-found")
    def rule_says_not_found():
        raise NotFound  # what a rule function raises; no route catches it

    @app.get("/api/v1/rule-says-not-found")
    def api_rule_says_not_found():
        raise NotFound("No widget with this id that you may see.")

    return app


@pytest.mark.parametrize(("path", "code", "title"), [
    ("/no-such-page", 404, "Not found"),
    ("/boom", 500, "Something went wrong"),
    ("/bad", 400, "Bad request"),
    ("/forbidden", 403, "Not allowed"),
    ("/rule-says-not-found", 404, "Not found"),
    ("/database-gone", 503, "Temporarily unavailable"),
    ("/transaction-lost", 503, "Temporarily unavailable"),
])
def test_error_pages_are_whole_pages_or_fragments(app_with_failing_routes, path, code, title):
    client = app_with_failing_routes.test_client()
    page = client.get(path)
    assert page.status_code == code
    assert "<html" in page.get_data(as_text=True) and title in page.get_data(as_text=True)
    fragment = client.get(path, headers={"HX-Request": "true"})
    assert fragment.status_code == code
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and title in body and 'role="alert"' in body
    assert "HX-Request" in fragment.headers["Vary"]


def test_a_rules_not_found_reaches_the_api_as_problem_details(app_with_failing_routes):
    answer = app_with_failing_routes.test_client().get("/api/v1/rule-says-not-found")
    assert answer.status_code == 404 and answer.headers["Content-Type"] == "application/problem+json"
    assert answer.get_json()["status"] == 404
    assert answer.get_json()["detail"] == "No widget with this id that you may see."


def test_500_does_not_leak_the_exception(app_with_failing_routes):
    body = app_with_failing_routes.test_client().get("/boom").get_data(as_text=True)
    assert "secret-detail-42" not in body and "Traceback" not in body


def test_employee_gets_403_page_on_admin_route(client, auth, make_user):
    make_user("emp@example.com", Role.EMPLOYEE)
    auth.login("emp@example.com")
    response = client.get("/admin/jobs")
    assert response.status_code == 403
    assert "Your account does not have access to this page." in response.get_data(as_text=True)


def test_oversized_request_is_refused(client):
    response = client.post("/login", data={"email": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413


def test_htmx_sign_in_redirects_with_hx_redirect(client, make_user):
    from .conftest import PASSWORD, csrf_token

    make_user("ada@example.com")
    token = csrf_token(client)
    response = client.post("/login", data={"email": "ada@example.com", "password": PASSWORD},
                           headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/dashboard"


def test_htmx_sign_in_error_is_the_form_fragment(client, make_user):
    from .conftest import csrf_token

    make_user("ada@example.com")
    token = csrf_token(client)
    response = client.post("/login", data={"email": "ada@example.com", "password": "nope"},
                           headers={"HX-Request": "true", "X-CSRFToken": token})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert body.lstrip().startswith("<form") and "Email or password is incorrect." in body
    assert 'value="ada@example.com"' in body  # input kept


def test_a_connection_lost_after_the_page_was_rendered_does_not_turn_it_into_an_error(app, database_url):
    """The database can go away between a request's last query and its teardown (a restart): the page the
    request already produced is still the answer, and the dead connection is dropped, not rolled back."""
    if not database_url.startswith("postgresql"):
        pytest.skip("cutting one server connection needs PostgreSQL")
    from sqlalchemy import text

    from webapp.db import get_engine
    from webapp.web import db

    @app.get("/read-then-lose-the-connection")
    def read_then_lose_the_connection():
        session = db()
        pid = session.exec(text("SELECT pg_backend_pid()")).scalar_one()
        with get_engine(database_url).connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        return "read"

    page = app.test_client().get("/read-then-lose-the-connection")
    assert page.status_code == 200 and page.get_data(as_text=True) == "read"
