"""schemathesis fuzzes the served API from its own OpenAPI document, with every check, and finds nothing.

It runs the real CLI against the app served on a free port, once with an employee's write token and once with
an admin's admin token (so the exports are reached too). A fixed seed keeps a failure reproducible.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from webapp.models import TokenScope, User

from ..security.world import build_world
from ..support import served
from .conftest import make_token

pytestmark = pytest.mark.slow


@pytest.fixture
def settings_overrides():
    return {"api_rate_limit": "100000/minute"}  # the fuzzer sends hundreds of requests a second


# Each run leaves out what its person may not do at all, which schemathesis would report as missing access or
# data: the exports answer an employee 403 (the matrix checks it); an admin plays no challenge, so completing is
# the employee's run.
RUNS = [("emp@a.example", TokenScope.WRITE, ["--exclude-tag", "exports"]),
        ("admin@corp.example", TokenScope.ADMIN, ["--exclude-path", "/api/v1/missions/{mission_id}/completions"])]


@pytest.mark.parametrize("who, scope, options", RUNS, ids=["employee-write", "admin-admin"])
def test_schemathesis_finds_nothing(settings, session, tmp_path, who, scope, options):
    build_world(session)
    token = make_token(session, session.exec(select(User).where(User.email == who)).one(), scope)
    schemathesis = Path(sys.executable).parent / "schemathesis"
    with served(settings) as (base, _app):
        run = subprocess.run(
            [str(schemathesis), "run", f"{base}/api/v1/openapi.json", "--checks", "all", "-H",
             f"Authorization: Bearer {token}", "--max-examples", "25", "--workers", "1", "--seed", "19",
             "--request-timeout", "30", *options],
            cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "No issues found" in run.stdout, run.stdout[-4000:]
