"""The authorization matrix, built from the application's own URL map: every route, every role.

A route added without an entry in MATRIX fails `test_every_route_is_in_the_matrix`. Each entry says,
per role, what the answer must be: "ok" (allowed: any 2xx/3xx, or a 400/409/422 refusal of the input),
"login" (sent to sign in) or "denied" (403, or 404 for things the role may not know exist).
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func
from sqlmodel import SQLModel, select

from .world import EMAILS, PASSWORD, ROLES, build_world

A, E, OL, L, AD = ROLES  # anonymous, employee (team A), other_lead (team B), lead (team A), admin
PUBLIC = dict.fromkeys(ROLES, "ok")
SIGNED_IN = {A: "login", E: "ok", OL: "ok", L: "ok", AD: "ok"}
ADMIN = {A: "login", E: "denied", OL: "denied", L: "denied", AD: "ok"}
ANY_LEAD = {A: "login", E: "denied", OL: "ok", L: "ok", AD: "ok"}
LEAD_OF_TEAM = {A: "login", E: "denied", OL: "denied", L: "ok", AD: "ok"}
# Members of the challenge's teams play; admins may look (and are refused with a message if they try to play).
PLAYERS = {A: "login", E: "ok", OL: "denied", L: "ok", AD: "ok"}
MEMBERS = {A: "login", E: "ok", OL: "denied", L: "ok", AD: "denied"}  # acts only a participant may take
OWNER = {A: "login", E: "ok", OL: "denied", L: "denied", AD: "denied"}  # the employee's own prompt
TEAM_AND_ADMIN = {A: "login", E: "ok", OL: "denied", L: "ok", AD: "ok"}
# The JSON API never takes a sign-in cookie: without a bearer token everyone gets 401 (tests/api checks tokens).
BEARER_ONLY = dict.fromkeys(ROLES, "token")

# (endpoint, method) -> expected answer per role
MATRIX: dict[tuple[str, str], dict[str, str]] = {
    ("static", "GET"): PUBLIC,
    ("main.index", "GET"): {A: "login", E: "ok", OL: "ok", L: "ok", AD: "ok"},
    ("main.healthz", "GET"): PUBLIC,
    ("main.livez", "GET"): PUBLIC,
    ("main.dashboard", "GET"): SIGNED_IN,
    ("main.welcome_seen", "POST"): SIGNED_IN,
    ("auth.login", "GET"): PUBLIC,
    ("auth.login", "POST"): PUBLIC,
    ("auth.logout", "POST"): {A: "login", E: "login", OL: "login", L: "login", AD: "login"},
    # links that arrive by email (the matrix sends a token that is not valid: a clear 400 for everyone)
    ("auth.forgot_password", "GET"): PUBLIC,
    ("auth.forgot_password", "POST"): PUBLIC,
    ("auth.accept_invitation", "GET"): PUBLIC,
    ("auth.accept_invitation", "POST"): PUBLIC,
    ("auth.reset_password", "GET"): PUBLIC,
    ("auth.reset_password", "POST"): PUBLIC,
    # admin authoring
    **{(endpoint, method): ADMIN for endpoint, method in [
        ("admin.challenges", "GET"), ("admin.create", "POST"), ("admin.challenge", "GET"), ("admin.update", "POST"),
        ("admin.add_badge", "POST"), ("admin.delete", "POST"), ("admin.export", "GET"), ("admin.add_mission", "POST"),
        ("admin.change_status", "POST"), ("admin.add_challenge_team", "POST"),
        ("admin.remove_challenge_team", "POST"), ("admin.import_yaml", "POST"), ("admin.use_template", "POST"),
        ("admin.update_badge", "POST"), ("admin.badge_action", "POST"), ("admin.edit_badge", "GET"),
        ("admin.mission", "GET"), ("admin.update_mission", "POST"), ("admin.delete_mission", "POST"),
        ("admin.edit_mission", "GET"), ("admin.move_mission", "POST"), ("admin.restore_mission", "POST"),
        ("admin.retire_mission", "POST"), ("admin.teams", "GET"), ("admin.create_team", "POST"),
        ("admin.team", "GET"), ("admin.rename_team", "POST"), ("admin.add_member", "POST"),
        ("admin.set_lead", "POST"), ("admin.remove_member", "POST"),
        ("admin.move_member", "POST"), ("admin.person_points", "GET"), ("admin.adjust_person_points", "POST"),
        ("admin.adjustments", "GET"), ("admin.users", "GET"),
        ("admin.create_user", "POST"), ("admin.change_user", "POST"), ("admin.import_users_form", "GET"),
        ("admin.import_users", "POST"), ("operations.jobs", "GET"), ("operations.retry_job", "POST"),
        ("reflection.llm_calls", "GET"), ("monitoring.skills", "GET"), ("monitoring.skills", "POST"),
        ("admin.group_mappings_page", "GET"), ("admin.add_group_mapping", "POST"),
        ("admin.remove_group_mapping", "POST"),
        ("admin.invite", "POST"), ("admin.change_invitation", "POST"), ("admin.people_import", "GET"),
        ("admin.mail", "GET"), ("admin.mail_message", "GET"), ("admin.mail_file", "GET"),
    ]},
    # single sign-on (the callback refuses a request without a valid state with 400, which counts as answered)
    ("sso.start", "GET"): PUBLIC,
    ("sso.callback", "GET"): PUBLIC,
    # profiles: each person changes only their own; pictures are for signed-in people
    ("profiles.profile", "GET"): SIGNED_IN,
    ("profiles.save_profile", "POST"): SIGNED_IN,
    ("profiles.detect_timezone", "POST"): SIGNED_IN,
    ("profiles.avatar", "GET"): SIGNED_IN,
    # playing
    ("play.challenge", "GET"): PLAYERS,
    ("play.feed", "GET"): PLAYERS,
    ("play.leaderboard", "GET"): PLAYERS,
    ("play.points", "GET"): SIGNED_IN,
    # The employee's page: their teammates, players of a challenge they meet and admins see it (play/people.py).
    ("play.person", "GET"): TEAM_AND_ADMIN,
    ("play.join", "POST"): PLAYERS,
    # lead approval: the queue for any lead (their own teams in it); acting on evidence only for its team's lead
    # and admins (a lead of another team is told it does not exist); resubmitting only for the person
    ("play.approvals", "GET"): ANY_LEAD,
    ("play.approve_selected", "POST"): ANY_LEAD,
    ("play.approve_completion", "POST"): LEAD_OF_TEAM,
    ("play.send_back_completion", "POST"): LEAD_OF_TEAM,
    ("play.resubmit_completion", "POST"): OWNER,
    ("play.celebrations_seen", "POST"): SIGNED_IN,
    ("play.complete", "POST"): PLAYERS,
    ("play.kudos", "POST"): MEMBERS,
    ("play.feedback", "POST"): MEMBERS,
    ("monitoring.self_assessment", "GET"): MEMBERS,
    ("monitoring.self_assessment", "POST"): MEMBERS,
    # reflection
    ("reflection.prompts", "GET"): SIGNED_IN,
    ("reflection.prompt", "GET"): OWNER,
    ("reflection.answer", "POST"): OWNER,
    ("reflection.retry_prompt_view", "POST"): OWNER,
    ("team_lessons.team", "GET"): ANY_LEAD,
    ("team_lessons.summarise", "POST"): LEAD_OF_TEAM,
    ("team_lessons.summary", "GET"): LEAD_OF_TEAM,
    ("team_lessons.retry", "POST"): LEAD_OF_TEAM,
    # review
    ("review.queue", "GET"): ANY_LEAD,
    **{(endpoint, method): LEAD_OF_TEAM for endpoint, method in [
        ("review.summary", "GET"), ("review.approve", "POST"), ("review.compare", "GET"), ("review.edit", "GET"),
        ("review.edit", "POST"), ("review.publish", "POST"), ("review.regenerate", "POST"), ("review.reject", "POST"),
        ("review.version", "GET"),
    ]},
    # library: every signed-in person reads published lessons
    ("library.index", "GET"): SIGNED_IN,
    ("library.summary", "GET"): SIGNED_IN,
    ("library.export_summary", "GET"): SIGNED_IN,
    ("library.export_challenge", "GET"): SIGNED_IN,
    ("library.name_setting", "GET"): SIGNED_IN,
    ("library.save_name_setting", "POST"): SIGNED_IN,
    # monitoring: admins, and leads for their own teams
    ("monitoring.overview", "GET"): ANY_LEAD,
    ("monitoring.challenge", "GET"): LEAD_OF_TEAM,
    ("monitoring.export", "GET"): LEAD_OF_TEAM,
    # portable badges: the issuer's documents, credential pages and 2.0 JSON are public (an unguessable id);
    # claiming is the award's owner's; revoking and the list of credentials are the admins'
    **{(endpoint, "GET"): PUBLIC for endpoint in [
        "credentials.did_document", "credentials.status_list", "credentials.credential",
        "credentials.credential_json", "credentials.credential_svg", "credentials.achievement",
        "credentials.achievement_svg", "credentials.ob2_issuer", "credentials.ob2_badge", "credentials.ob2_assertion",
        "credentials.ob2_assertion_svg",
    ]},
    ("credentials.claim_page", "GET"): OWNER,
    ("credentials.claim", "POST"): OWNER,
    ("credentials.revoke", "POST"): ADMIN,
    ("credentials.issued", "GET"): ADMIN,
    ("monitoring.skill_xp", "GET"): LEAD_OF_TEAM,
    # JSON API: its document and docs page are public; every route wants a token (tests/api: scopes and roles)
    ("api_docs.openapi_document", "GET"): PUBLIC,
    ("api_docs.docs_page", "GET"): PUBLIC,
    **{(endpoint, method): BEARER_ONLY for endpoint, method in [
        ("api.me", "GET"), ("api.challenges", "GET"), ("api.challenge", "GET"), ("api.missions", "GET"),
        ("api.leaderboard", "GET"), ("api.teams", "GET"), ("api.team_members", "GET"), ("api.person_points", "GET"),
        ("api.person_badges", "GET"), ("api.person_skills", "GET"), ("api.lessons", "GET"), ("api.complete", "POST"),
        ("api.export_completions", "GET"), ("api.export_point_events", "GET"),
    ]},
    # API tokens: each person makes and revokes their own; service tokens are the admins'
    ("api_tokens.create_personal_token", "POST"): SIGNED_IN,
    ("api_tokens.revoke_personal_token", "POST"): OWNER,
    ("api_tokens.service_token_list", "GET"): ADMIN,
    ("api_tokens.create_service_token", "POST"): ADMIN,
    ("api_tokens.revoke_service_token", "POST"): ADMIN,
    # outbound: webhooks are the admins'; a team's chat hook is its lead's (and admins')
    **{(endpoint, method): ADMIN for endpoint, method in [
        ("outbound.webhooks_page", "GET"), ("outbound.add_webhook", "POST"), ("outbound.webhook", "GET"),
        ("outbound.switch_webhook", "POST"), ("outbound.delete_webhook", "POST"), ("outbound.redeliver", "POST"),
    ]},
    ("outbound.chat_page", "GET"): LEAD_OF_TEAM,
    ("outbound.save_chat", "POST"): LEAD_OF_TEAM,
    ("outbound.remove_chat", "POST"): LEAD_OF_TEAM,
    # notifications: each person their own (marking someone else's is "not found"); settings are one's own
    ("notifications.page", "GET"): SIGNED_IN,
    ("notifications.count", "GET"): SIGNED_IN,
    ("notifications.mark_read", "POST"): OWNER,
    ("notifications.mark_all_read", "POST"): SIGNED_IN,
    ("notifications.settings_page", "GET"): SIGNED_IN,
    ("notifications.save_settings", "POST"): SIGNED_IN,
    # one-click unsubscribe: no sign-in, the signed token is the authority (the matrix's token is invalid: 400)
    ("notifications.unsubscribe_page", "GET"): PUBLIC,
    ("notifications.unsubscribe", "POST"): PUBLIC,
}

# Where one endpoint has two rules with different audiences, the rule's own entry wins.
RULE_OVERRIDES = {
    ("/monitoring/export/<table>.csv", "GET"): ANY_LEAD,  # across challenges, scoped to the lead's own teams
}

SPECIAL_ARGUMENTS = {
    "library.summary": {"summary_id": "published_id"},
    "library.export_summary": {"summary_id": "published_id"},
}
FIXED_VALUES = {"item_type": "completion", "action": "retire", "change": "role", "name": "new-tool-exploration",
                "table": "teams", "filename": "css/app.css", "token": "not-a-valid-token", "what": "resend"}


@pytest.fixture
def settings_overrides(oidc_provider):
    """Single sign-on on, so its routes answer as in production (they are 404 without an issuer)."""
    return dict(oidc_issuer=oidc_provider.issuer, oidc_client_id="learnloop", oidc_client_secret="s3cret")


def _routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_is_in_the_matrix(app):
    missing = {(rule.endpoint, method) for rule, method in _routes(app)} - set(MATRIX)
    assert not missing, f"routes without an authorization entry: {sorted(missing)}"


def _url(rule, ids: dict) -> str:
    values = {}
    for argument in rule.arguments:
        key = SPECIAL_ARGUMENTS.get(rule.endpoint, {}).get(argument, argument)
        values[argument] = FIXED_VALUES.get(argument, ids.get(key))
        assert values[argument] is not None, f"no value for {argument} in {rule.rule}"
    url = rule.rule
    for argument, value in values.items():
        url = re.sub(rf"<(?:[^:<>]+:)?{argument}>", str(value), url)
    return re.sub(r"<any\([^)]*\):(\w+)>", lambda m: str(values[m.group(1)]), url)


def category(response) -> str:
    location = response.headers.get("Location", "")
    if response.status_code in (301, 302, 303) and "/login" in location and "next=" in location:
        return "login"
    if response.status_code in (302, 303) and location.rstrip("/").endswith("/login"):
        return "login"
    if response.status_code in (403, 404):
        return "denied"
    if response.status_code == 401:
        return "token"
    if response.status_code >= 500:
        return f"error {response.status_code}"
    return "ok"


def _row_counts(session) -> dict[str, int]:
    session.expire_all()
    return {table.name: session.exec(select(func.count()).select_from(table)).one()
            for table in SQLModel.metadata.sorted_tables}


def _client_for(app, role: str):
    from ..conftest import csrf_token

    client = app.test_client()
    if role != "anonymous":
        token = csrf_token(client)
        response = client.post("/login", data={"email": EMAILS[role], "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 303, role
    return client


def _answer(app, client, rule, method: str, url: str):
    from ..conftest import CSRF_META

    if method == "GET":
        return client.get(url)
    token_page = client.get("/dashboard")
    if token_page.status_code != 200:
        token_page = client.get("/login")
    token = CSRF_META.search(token_page.get_data(as_text=True)).group(1)
    return client.post(url, data={"csrf_token": token})


ROUTE_KEYS = sorted(MATRIX)


@pytest.mark.slow
@pytest.mark.parametrize("route", ROUTE_KEYS, ids=[f"{e}-{m}" for e, m in ROUTE_KEYS])
def test_route_answers_each_role_as_the_matrix_says(app, session, route):
    endpoint, method = route
    rules = [rule for rule, rule_method in _routes(app) if rule.endpoint == endpoint and rule_method == method]
    assert rules, f"{endpoint} {method} is in the matrix but not in the app"
    ids = build_world(session).ids
    for rule in rules:
        expected = RULE_OVERRIDES.get((rule.rule, method), MATRIX[route])
        # Refused roles first, checking that a refused request changes nothing; then the allowed ones.
        order = sorted(ROLES, key=lambda role: expected[role] == "ok")
        url = _url(rule, ids)
        for role in order:
            client = _client_for(app, role)
            before = _row_counts(session) if expected[role] != "ok" and method == "POST" else None
            answer = category(_answer(app, client, rule, method, url))
            assert answer == expected[role], f"{method} {url} as {role}: {answer}, expected {expected[role]}"
            if before is not None:
                assert _row_counts(session) == before, f"refused {method} {url} as {role} changed the database"


POST_ROUTES = [route for route in ROUTE_KEYS if route[1] == "POST"]


@pytest.mark.slow
@pytest.mark.parametrize("route", POST_ROUTES, ids=[e for e, _ in POST_ROUTES])
def test_state_changing_route_refuses_a_request_without_csrf_token(app, session, route):
    """Signed in as someone allowed to use the route, a POST without (or with a forged) token gets 400
    and changes nothing."""
    endpoint, method = route
    ids = build_world(session).ids
    allowed = [role for role in ("admin", "lead", "employee") if MATRIX[route][role] == "ok"]
    client = _client_for(app, allowed[0]) if allowed and route != ("auth.login", "POST") else app.test_client()
    for rule in [rule for rule, rule_method in _routes(app) if rule.endpoint == endpoint and rule_method == method]:
        url = _url(rule, ids)
        before = _row_counts(session)
        # The JSON API takes no cookie, so it has no CSRF token to check: without a bearer token it is a 401.
        refused = 401 if MATRIX[route] is BEARER_ONLY else 400
        for data in ({}, {"csrf_token": "forged"}):
            response = client.post(url, data=data)
            assert response.status_code == refused, f"POST {url} with {data or 'no token'}: {response.status_code}"
            response = client.post(url, data=data, headers={"HX-Request": "true", "X-CSRFToken": "forged"})
            assert response.status_code == refused
        assert _row_counts(session) == before


MOVED_AWAY_ROUTES = sorted(route for route, rule in MATRIX.items() if rule is PLAYERS or rule is MEMBERS)


def test_a_person_moved_to_another_team_loses_what_only_the_old_team_may_do(app, session):
    """The employee of team A, moved by an admin to team B (which does not play A's challenge), is refused
    every playing route of that challenge, its feed and its items; before the move each was open to them."""
    from webapp.models import Team

    ids = build_world(session).ids
    team_b = session.exec(select(Team).where(Team.slug == "team-b")).one()
    employee = _client_for(app, "employee")
    rules = [(rule, method) for rule, method in _routes(app) if (rule.endpoint, method) in MOVED_AWAY_ROUTES]
    assert category(employee.get(f"/play/challenges/{ids['challenge_id']}/feed")) == "ok"
    admin = _client_for(app, "admin")
    moved = _answer_with(admin, f"/admin/teams/{ids['team_id']}/members/{ids['user_id']}/move",
                         {"to_team_id": team_b.id})
    assert moved.status_code == 303
    for rule, method in rules:
        url = _url(rule, ids)
        before = _row_counts(session) if method == "POST" else None
        answer = category(_answer(app, employee, rule, method, url))
        assert answer == "denied", f"{method} {url} after the move: {answer}"
        if before is not None:
            assert _row_counts(session) == before, f"{method} {url} after the move changed the database"


def _answer_with(client, url: str, data: dict):
    from ..conftest import CSRF_META

    token = CSRF_META.search(client.get("/dashboard").get_data(as_text=True)).group(1)
    return client.post(url, data={"csrf_token": token, **data})
