"""The points rules hold when one person sends many requests at once, on SQLite as on PostgreSQL.

Each test serves the app on a real threaded server and releases 20 POSTs together."""
from __future__ import annotations

import pytest
from sqlmodel import Session, func, select

from webapp.db import get_engine
from webapp.models import Completion, PointEvent

from ..parallel import post_at_once, signed_in
from ..support import served

PARALLEL = 20


@pytest.fixture
def live(settings):
    with served(settings) as (url, _app):
        yield url


def _complete_at_once(live, mission_id: int) -> list[int]:
    browser, token = signed_in(live, "ada@example.com")
    forms = [{"idempotency_key": f"form-{index}", "evidence_text": "done"} for index in range(PARALLEL)]
    answers = post_at_once(live, browser, token, f"/play/missions/{mission_id}/complete", forms,
                           headers={"HX-Request": "true"})
    return sorted(answer.status_code for answer in answers)


def _completions(database_url: str, mission_id: int) -> tuple[int, int]:
    with Session(get_engine(database_url)) as fresh:
        done = fresh.exec(select(func.count()).select_from(Completion).where(Completion.mission_id == mission_id)).one()
        points = fresh.exec(select(func.coalesce(func.sum(PointEvent.amount), 0))).one()
    return done, points


@pytest.mark.parametrize("rule, mission_fields, expected_completions", [
    ("daily cap of 60", dict(points=20, max_completions=None), 3),
    ("max_completions=1", dict(points=10, max_completions=1), 1),
    ("24-hour cooldown", dict(points=10, max_completions=None, cooldown_hours=24), 1),
])
def test_twenty_parallel_completions_keep_the_rule(world, session, live, database_url, rule, mission_fields,
                                                   expected_completions):
    world.challenge.daily_point_cap = 60
    session.add(world.challenge)
    session.commit()
    mission = world.mission(**mission_fields)
    world.player("ada@example.com")
    codes = _complete_at_once(live, mission.id)
    done, points = _completions(database_url, mission.id)
    assert done == expected_completions, rule
    assert points == expected_completions * mission_fields["points"] <= 60
    assert codes == [200] * expected_completions + [422] * (PARALLEL - expected_completions)
