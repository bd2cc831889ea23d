"""PostgreSQL restarts under load: requests during the outage fail at once with a clear message,
then everything recovers without restarting the app; every completion answered as accepted is stored."""
import threading
import time

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from webapp.db import get_engine
from webapp.demo import load_demo
from webapp.migrate import upgrade
from webapp.models import Completion
from webapp.settings import load_settings

from .conftest import Employee, demo_players, open_mission, serve
from .private_postgres import PrivatePostgres


@pytest.fixture
def private_postgres():
    server = PrivatePostgres().init()
    server.start()
    yield server
    get_engine(server.url).dispose()
    server.destroy()


def test_requests_fail_cleanly_during_a_restart_then_recover(private_postgres):
    url = private_postgres.url
    upgrade(url)
    with Session(get_engine(url), expire_on_commit=False) as session:
        load_demo(session)
        mission_id = open_mission(session).id
        emails = demo_players(session, 4)
    outcomes: list[tuple[str, int, float, str]] = []
    lock = threading.Lock()
    halt = threading.Event()

    def browse_and_complete(person: Employee, index: int) -> None:
        count = 0
        while not halt.is_set():
            began = time.monotonic()
            try:
                if count % 2:
                    response, kind = person.http.get(f"{person.base}/dashboard", timeout=15), "page"
                else:
                    response, kind = person.complete(mission_id, f"drill {index}-{count}: tried the linter"), "complete"
                status, body = response.status_code, response.text
            except Exception as error:  # noqa: BLE001 - a hang or a reset is a finding, recorded as such
                status, body, kind = 0, repr(error), "error"
            with lock:
                outcomes.append((kind, status, time.monotonic() - began, body))
            count += 1
            time.sleep(0.05)

    with serve(load_settings(database_url=url, secret_key="drill", outbox_pump=False)) as base:
        people = [Employee(base, email) for email in emails]
        threads = [threading.Thread(target=browse_and_complete, args=(person, i)) for i, person in enumerate(people)]
        for thread in threads:
            thread.start()
        try:
            time.sleep(1.5)
            private_postgres.stop()
            time.sleep(2)
            private_postgres.start()
            time.sleep(3)
        finally:
            halt.set()
            for thread in threads:
                thread.join(30)

    failures = [outcome for outcome in outcomes if outcome[1] not in (200, 303)]
    assert failures, "the outage was not noticed: the drill did not test anything"
    for kind, status, seconds, body in failures:
        assert status == 503, (kind, status, body[:300])
        assert "cannot reach its database" in body
        assert seconds < 10
    recovered = outcomes[-len(people) * 2:]
    assert all(status in (200, 303) for _, status, _, _ in recovered), "the app did not recover"
    accepted = sum(1 for kind, status, _, _ in outcomes if kind == "complete" and status == 303)
    with Session(get_engine(url)) as session:
        stored = session.exec(select(func.count()).select_from(Completion)
                              .where(Completion.evidence_text.like("drill %"))).one()
    assert stored == accepted
