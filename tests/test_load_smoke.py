"""The load test's locustfile, run briefly against a live server on the demo data, must see no failure.

It keeps bench/load/locustfile.py from rotting as pages change: every kind of simulated person signs
in and walks its pages (a changed URL, form field or page marker shows up here as a failure).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session

from webapp.db import get_engine
from webapp.demo import DEMO_PASSWORD, load_demo
from webapp.settings import load_settings

from .support import served

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = ROOT / "bench" / "load" / "locustfile.py"
# Every kind of person gets past sign-in and does its main thing at least once.
EXPECTED = {"sign in (POST)": 5, "dashboard": 1, "review queue": 1, "monitoring overview": 1,
            "complete mission (POST)": 1}


@pytest.fixture
def live_url(database_url):
    with Session(get_engine(database_url), expire_on_commit=False) as session:
        load_demo(session)
    settings = load_settings(database_url=database_url, secret_key="load-smoke", redis_url=None, outbox_pump=True)
    with served(settings) as (url, _app):
        yield url


def test_every_simulated_person_walks_the_app_without_a_failure(live_url, tmp_path):
    accounts = tmp_path / "accounts.json"
    # One person of each kind, each with an account of their own.
    accounts.write_text(json.dumps({"password": DEMO_PASSWORD,
                                    "employees": ["employee@example.com", "bilal@example.com", "chen@example.com"],
                                    "leads": ["lead@example.com"], "admins": ["admin@example.com"]}))
    report = tmp_path / "smoke"
    result = subprocess.run(
        [str(Path(sys.executable).parent / "locust"), "-f", str(LOCUSTFILE), "--headless", "--host", live_url,
         "-u", "5", "-r", "5", "-t", "180s", "--json-file", str(report), "--only-summary", "--loglevel", "WARNING"],
        env={"PATH": "/usr/bin:/bin", "LOAD_ACCOUNTS": str(accounts),
             "LOAD_MIX": "browser=1,player=1,cheerleader=1,lead=1,admin=1",
             # Ends the run as soon as everything asserted below happened; -t is only the deadline.
             "LOAD_STOP_WHEN_SEEN": ",".join(f"{name}={count}" for name, count in EXPECTED.items())},
        cwd=ROOT, capture_output=True, text=True, timeout=240)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # The JSON report is written at shutdown from the final figures; the CSV is only rewritten every
    # second, so a run stopped right after its last request can miss it there.
    rows = {row["name"]: row for row in json.loads((tmp_path / "smoke.json").read_text())}
    assert sum(row["num_failures"] for row in rows.values()) == 0, output
    for name, count in EXPECTED.items():
        seen = rows.get(name, {}).get("num_requests", 0)
        assert seen >= count, f"{name} ran {seen} times, fewer than {count}:\n{output}"
    assert rows["sign in (POST)"]["num_requests"] == 5
