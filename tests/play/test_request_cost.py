"""What a request costs, counted in SQL statements (deterministic, unlike timings, which live in bench/).

Each budget is the statement count of the route today on a small world, so a change that brings
back a query per row (or per badge, per mission...) fails here instead of only in the benchmark.
The counts do not grow with the data: the tests check that too, by adding rows and counting again.
"""
from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from tests.support import free_port
from webapp.db import get_engine
from webapp.models import BadgeRule, BadgeScope, MissionKind

# Statements per request, the session's user look-up (Flask-Login) included.
BUDGET = {
    "livez": 0,
    "dashboard": 10,  # +1: the team board of each running challenge I play, for my team's rank (one in these worlds)
    # +1 (#16): my team's recent activity (its latest point events, one statement for all my running challenges);
    # the team goal's badges ride on the first statement and the prompts' missions on the prompts statement.
    "leaderboard": 7,  # +2: the team and individual standings at the start of today, for movement since yesterday
    # On SQLite this counts the BEGIN IMMEDIATE taken before the points rules' checks (it replaces the
    # driver's own BEGIN, which this count does not see, so the round trips are the same).
    # +1 (#19): who listens to the completion (switched-on webhook endpoints and the team's chat hook, one statement).
    # +1 (was 25): the notification job of a level reached or a badge earned (one outbox INSERT each, #14).
    "complete": 27,
}


@contextmanager
def counting(database_url: str):
    """Collect the SQL statements run on the app's engine while the block runs (savepoints included:
    each is a round trip too; BEGIN and COMMIT are not seen by this event)."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = get_engine(database_url)
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_livez_answers_without_the_database(client, database_url):
    with counting(database_url) as statements:
        response = client.get("/livez")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"
    assert statements == []


def test_livez_stays_up_when_the_database_is_down_and_healthz_says_so():
    from webapp import create_app
    from webapp.settings import load_settings

    down = f"postgresql://nobody@127.0.0.1:{free_port()}/nothing"
    app = create_app(load_settings(database_url=down, secret_key="x", outbox_pump=False, redis_url=""))
    client = app.test_client()
    assert client.get("/livez").status_code == 200
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["database"].startswith("error")


@pytest.fixture
def busy_world(world, session):
    """A running challenge with the badges and missions a completion evaluates, and two players with history."""
    missions = [world.mission(slug=f"m{n}", kind=kind, points=5, max_completions=None)
                for n, kind in enumerate([MissionKind.LEARN, MissionKind.SHARE, MissionKind.HELP])]
    world.badge(BadgeRule.MISSIONS_COMPLETED, {"threshold": 1000}, slug="many")
    world.badge(BadgeRule.STREAK_DAYS, {"threshold": 100}, slug="streak")
    world.badge(BadgeRule.POINTS_REACHED, {"threshold": 100000}, slug="rich")
    world.badge(BadgeRule.TEAM_POINTS_REACHED, {"threshold": 100000}, slug="team-rich", scope=BadgeScope.TEAM)
    world.badge(BadgeRule.TEAM_ALL_COMPLETED_KIND, {"kind": "share"}, slug="all-share", scope=BadgeScope.TEAM)
    world.player("ada@example.com")
    world.player("bo@example.com")
    return missions


def _complete(client, auth, mission_id: int, challenge_id: int):
    page = client.get(f"/play/challenges/{challenge_id}").get_data(as_text=True)
    key = re.search(rf'id="mission-{mission_id}".*?name="idempotency_key" value="([^"]+)"', page, re.S).group(1)
    return auth.post(f"/play/missions/{mission_id}/complete", {"idempotency_key": key, "evidence_text": "Did it."},
                     page=f"/play/challenges/{challenge_id}", headers={"HX-Request": "true"})


def _cost(database_url: str, do) -> tuple[int, object]:
    with counting(database_url) as statements:
        response = do()
    return len(statements), response


def test_play_requests_stay_within_their_statement_budget_as_data_grows(world, client, auth, busy_world,
                                                                         database_url):
    challenge = world.challenge.id
    auth.login("bo@example.com")
    for mission in busy_world:  # Bo has history: ledger rows, completions, a streak
        assert _complete(client, auth, mission.id, challenge).status_code == 200
    auth.logout()
    auth.login("ada@example.com")
    costs: dict[str, list[int]] = {name: [] for name in ("dashboard", "leaderboard", "leaderboard htmx", "complete")}
    for _ in range(2):  # the second round has more ledger, completions and cached boards than the first
        assert _complete(client, auth, busy_world[0].id, challenge).status_code == 200
        count, response = _cost(database_url, lambda: client.get("/dashboard"))
        assert response.status_code == 200
        costs["dashboard"].append(count)
        count, response = _cost(database_url, lambda: client.get(f"/play/challenges/{challenge}/leaderboard"))
        assert response.status_code == 200 and "team-board" in response.get_data(as_text=True)
        costs["leaderboard"].append(count)
        count, response = _cost(database_url, lambda: client.get(f"/play/challenges/{challenge}/leaderboard",
                                                                  headers={"HX-Request": "true"}))
        assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
        costs["leaderboard htmx"].append(count)
        page = client.get(f"/play/challenges/{challenge}").get_data(as_text=True)
        key = re.search(rf'id="mission-{busy_world[1].id}".*?name="idempotency_key" value="([^"]+)"', page,
                        re.S).group(1)
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        count, response = _cost(database_url, lambda: client.post(
            f"/play/missions/{busy_world[1].id}/complete", data={"idempotency_key": key, "evidence_text": "Shared.",
                                                                  "csrf_token": token},
            headers={"HX-Request": "true"}))
        assert response.status_code == 200 and "Mission completed" in response.get_data(as_text=True)
        costs["complete"].append(count)
    for name, (first, second) in costs.items():
        assert second <= first, f"{name}: {first} then {second} statements as the data grew"
    assert max(costs["dashboard"]) <= BUDGET["dashboard"], costs
    assert max(costs["leaderboard"] + costs["leaderboard htmx"]) <= BUDGET["leaderboard"], costs
    assert max(costs["complete"]) <= BUDGET["complete"], costs
