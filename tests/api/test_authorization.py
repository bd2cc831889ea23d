"""The API's authorisation matrix: every API route, every scope, every role, generated from the URL map.

A new API route without a row in ROUTES fails `test_every_api_route_is_in_the_matrix`. Answers: "ok" (2xx,
or 409 when the page's own rule refuses the completion, as for an admin who plays no challenge), "forbidden"
(403: the scope or role does not allow it), "hidden" (404: the person may not know it exists), "token" (401).
"""
from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import func
from sqlmodel import SQLModel, select

from webapp.api.tokens import hash_token
from webapp.models import ApiToken, TokenScope, User, utcnow

from ..security.world import EMAILS, build_world
from .conftest import bearer

ROLES = ("employee", "other_lead", "lead", "admin")
SCOPES = tuple(TokenScope)
READ, WRITE, ADMIN = SCOPES
EVERYONE = dict.fromkeys(ROLES, "ok")
PLAYERS = {"employee": "ok", "other_lead": "hidden", "lead": "ok", "admin": "ok"}  # team A plays, admins look
SELF = {"employee": "ok", "other_lead": "hidden", "lead": "hidden", "admin": "ok"}  # the employee's own records
ADMINS = {"employee": "forbidden", "other_lead": "forbidden", "lead": "forbidden", "admin": "ok"}

# endpoint -> (method, path with {ids}, scope it needs, answer per role once the scope suffices)
ROUTES = {
    "api.me": ("GET", "/api/v1/me", READ, EVERYONE),
    "api.challenges": ("GET", "/api/v1/challenges", READ, EVERYONE),
    "api.challenge": ("GET", "/api/v1/challenges/{challenge_id}", READ, PLAYERS),
    "api.missions": ("GET", "/api/v1/challenges/{challenge_id}/missions", READ, PLAYERS),
    "api.leaderboard": ("GET", "/api/v1/challenges/{challenge_id}/leaderboard", READ, PLAYERS),
    "api.teams": ("GET", "/api/v1/teams", READ, EVERYONE),
    "api.team_members": ("GET", "/api/v1/teams/{team_id}/members", READ, PLAYERS),
    "api.person_points": ("GET", "/api/v1/people/{user_id}/points", READ, SELF),
    "api.person_badges": ("GET", "/api/v1/people/{user_id}/badges", READ, SELF),
    "api.person_skills": ("GET", "/api/v1/people/{user_id}/skills?challenge_id={challenge_id}", READ, SELF),
    "api.lessons": ("GET", "/api/v1/lessons?q=small", READ, EVERYONE),
    # an admin plays no challenge: the page's rule refuses with 409 ("join this challenge first"), as on the page
    "api.complete": ("POST", "/api/v1/missions/{mission_id}/completions", WRITE, PLAYERS),
    "api.export_completions": ("GET", "/api/v1/exports/completions?limit=2", ADMIN, ADMINS),
    "api.export_point_events": ("GET", "/api/v1/exports/point-events", ADMIN, ADMINS),
}


def test_every_api_route_is_in_the_matrix(app):
    served = {rule.endpoint for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
              and not rule.endpoint.startswith("api_docs.")}
    assert served == set(ROUTES), f"API routes without a row: {sorted(served - set(ROUTES))}"
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ROUTES:
            method, path, _, _ = ROUTES[rule.endpoint]
            assert method in rule.methods
            assert re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule) == path.split("?")[0]


def _category(response) -> str:
    if response.status_code in (401, 403, 404):
        return {401: "token", 403: "forbidden", 404: "hidden"}[response.status_code]
    if response.status_code >= 500:
        return f"error {response.status_code}"
    assert response.status_code in (200, 201, 409), response.status_code
    return "ok"


def _token(session, user: User, scope: TokenScope) -> str:
    """A token of any scope, written straight to the table: an admin token of someone no longer admin is a case
    the matrix must cover (the role caps it), though the profile page would not make one for them."""
    secret = f"llp_{uuid.uuid4().hex}"
    session.add(ApiToken(user_id=user.id, name="matrix", token_hash=hash_token(secret), hint=secret[4:10],
                         scope=scope, expires_at=utcnow().replace(year=utcnow().year + 1)))
    session.commit()
    return secret


def _row_counts(session) -> dict[str, int]:
    session.expire_all()
    counts = {table.name: session.exec(select(func.count()).select_from(table)).one()
              for table in SQLModel.metadata.sorted_tables}
    counts.pop("api_token")
    return counts


def _send(client, method: str, url: str, token: str | None):
    headers = bearer(token) if token else {}
    if method == "POST":
        headers["Idempotency-Key"] = uuid.uuid4().hex
        return client.post(url, json={"evidence_text": "Read the incident review."}, headers=headers)
    return client.get(url, headers=headers)


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_api_route_answers_each_role_and_scope_as_the_matrix_says(app, session, endpoint):
    method, path, needed, by_role = ROUTES[endpoint]
    ids = build_world(session).ids
    url = path.format(**ids)
    users = {role: session.exec(select(User).where(User.email == email)).one() for role, email in EMAILS.items()}
    client = app.test_client()
    assert _category(_send(client, method, url, None)) == "token"
    assert _category(_send(client, method, url, "llp_not-a-token")) == "token"
    for role in ROLES:
        for scope in SCOPES:
            allowed = SCOPES.index(scope) >= SCOPES.index(needed)
            expected = by_role[role] if allowed else "forbidden"
            before = _row_counts(session) if method == "POST" and expected != "ok" else None
            response = _send(client, method, url, _token(session, users[role], scope))
            answer = _category(response)
            assert answer == expected, f"{method} {url} as {role} with a {scope.value} token: {answer}"
            assert response.headers["Content-Type"].startswith(
                "application/json" if answer == "ok" and response.status_code < 400 else "application/")
            if before is not None:
                assert _row_counts(session) == before, f"refused {method} {url} as {role} changed the database"
