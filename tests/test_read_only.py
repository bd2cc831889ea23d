"""Pages marked `reads_only` read without a transaction, and the database refuses any write made in them."""
from __future__ import annotations

import pytest
from psycopg import pq
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from webapp.models import Team
from webapp.web import db, reads_only

from .conftest import build_app


@pytest.fixture
def app(settings):
    return build_app(settings)  # these tests add routes to their app


def _needs_postgresql(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no round trips to save, so read-only pages use the ordinary session there")


def _transaction_status(session) -> str:
    return pq.TransactionStatus(session.connection().connection.dbapi_connection.info.transaction_status).name


def test_a_read_only_page_reads_outside_a_transaction_and_cannot_write(app, database_url, session):
    _needs_postgresql(database_url)

    @app.get("/probe/read-only")
    @reads_only
    def probe_read_only():
        request_session = db()
        request_session.exec(select(Team)).all()
        status = _transaction_status(request_session)
        try:
            request_session.add(Team(name="Written by a read-only page", slug="read-only"))
            request_session.commit()
            refusal = None
        except DBAPIError as error:
            request_session.rollback()
            refusal = str(error.orig)
        return {"status": status, "refusal": refusal}

    answer = app.test_client().get("/probe/read-only").get_json()
    assert answer["status"] == "IDLE"  # no BEGIN was sent for the SELECT
    assert "read-only transaction" in answer["refusal"]
    assert session.exec(select(Team)).all() == []


def test_other_pages_keep_their_transaction_and_can_write(app, database_url, session):
    _needs_postgresql(database_url)

    @app.get("/probe/ordinary")
    def probe_ordinary():
        request_session = db()
        request_session.exec(select(Team)).all()
        status = _transaction_status(request_session)
        request_session.add(Team(name="Written by an ordinary page", slug="ordinary"))
        request_session.commit()
        return {"status": status}

    assert app.test_client().get("/probe/ordinary").get_json() == {"status": "INTRANS"}
    assert [team.name for team in session.exec(select(Team))] == ["Written by an ordinary page"]


def test_a_read_only_mark_on_a_form_handler_does_not_make_its_post_read_only(app, database_url, session):
    """The mark is about the request, not the function: a POST to a view marked read-only still writes."""
    _needs_postgresql(database_url)

    @app.route("/probe/both", methods=["GET", "POST"])
    @reads_only
    def probe_both():
        request_session = db()
        mode = request_session.exec(text("SHOW transaction_read_only")).scalar_one()
        return {"read_only": mode}

    client = app.test_client()
    assert client.get("/probe/both").get_json() == {"read_only": "on"}
    app.config["WTF_CSRF_ENABLED"] = False
    assert client.post("/probe/both").get_json() == {"read_only": "off"}


def test_only_get_routes_are_marked_read_only(app):
    marked = []
    for rule in app.url_map.iter_rules():
        if getattr(app.view_functions[rule.endpoint], "reads_only", False):
            marked.append(rule.endpoint)
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, f"{rule.endpoint} is read-only but takes {rule.methods}"
    # The hot read pages: what a player and the readiness probe ask for most.
    assert {"main.dashboard", "main.healthz", "play.challenge", "play.leaderboard", "play.feed",
            "reflection.prompts", "library.index"} <= set(marked)
