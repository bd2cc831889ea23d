"""Every API error is an RFC 9457 problem, and each token has its own rate limit with Retry-After."""
from __future__ import annotations

import pytest

from webapp.models import TokenScope

from .conftest import bearer, make_token


@pytest.fixture
def settings_overrides():
    return {"api_rate_limit": "3/minute"}


def test_a_token_over_its_limit_gets_429_with_retry_after_and_others_are_not_slowed(app, session, make_user):
    ada, bo = make_user("ada@example.com"), make_user("bo@example.com")
    mine, theirs = make_token(session, ada), make_token(session, bo)
    client = app.test_client()
    for _ in range(3):
        answer = client.get("/api/v1/me", headers=bearer(mine))
        assert answer.status_code == 200
    assert answer.headers["X-RateLimit-Remaining"] == "0"
    refused = client.get("/api/v1/challenges", headers=bearer(mine))  # one allowance across every route
    assert refused.status_code == 429
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.json["status"] == 429 and 0 < int(refused.headers["Retry-After"]) <= 60
    assert client.get("/api/v1/me", headers=bearer(theirs)).status_code == 200


@pytest.mark.parametrize("method, path, status", [
    ("GET", "/api/v1/no-such-thing", 404), ("DELETE", "/api/v1/challenges", 405), ("GET", "/api/v1/challenges/999", 404),
    ("GET", "/api/v1/people/1/skills?challenge_id=abc", 422), ("GET", "/api/v1/exports/completions", 403),
])
def test_errors_are_problem_details(app, session, make_user, method, path, status):
    user = make_user("ada@example.com")
    answer = app.test_client().open(path, method=method, headers=bearer(make_token(session, user, TokenScope.WRITE)))
    assert answer.status_code == status
    assert answer.headers["Content-Type"] == "application/problem+json"
    body = answer.json
    assert body["status"] == status and body["title"] and body["type"] == "about:blank"
    assert body["instance"] == path.split("?")[0]
    if status == 405:
        assert "GET" in answer.headers["Allow"]
    if status == 422:
        assert body["invalid-params"][0]["name"] == "challenge_id"


def test_pages_keep_their_html_errors(client):
    answer = client.get("/no-such-page")
    assert answer.status_code == 404 and answer.headers["Content-Type"].startswith("text/html")


def test_a_sign_in_cookie_does_not_authenticate_the_api(app, auth, make_user):
    make_user("ada@example.com")
    assert auth.login("ada@example.com").status_code in (204, 303)
    answer = auth.client.get("/api/v1/me")
    assert answer.status_code == 401 and answer.headers["WWW-Authenticate"].startswith("Bearer")
