"""`learnloop eval summaries`: the shipped evaluation set through the configured writer, figures printed."""
from __future__ import annotations

import re

import pytest

from webapp import create_app
from webapp.settings import load_settings


@pytest.fixture
def cli_app(tmp_path):
    # Settings are read when the app is made: after use_fake_openai has pointed the environment at the fake.
    return create_app(load_settings(database_url=f"sqlite:///{tmp_path}/eval.db"))


def run(app, *args):
    result = app.test_cli_runner().invoke(args=["eval", "summaries", *args], catch_exceptions=False)
    return result.exit_code, " ".join(result.output.split())  # the console wraps long lines


def test_against_an_openai_compatible_server_every_call_is_reported(use_fake_openai, cli_app):
    code, output = run(cli_app, "--split", "holdout")
    assert code == 0, output
    assert "Evaluating the writer gpt-4o-mini on 3 teams" in output
    assert len(use_fake_openai.requests) == 3  # one call per (small) team, to the configured server
    assert re.search(r"holdout: lesson recall \d+% \(\d+/10\)", output)
    assert "citation validity 100%" in output and "schema failures 0" in output
    assert "Summarising teams" in output and "3/3" in output  # the progress bar finished
    # Tokens and latency per call come from the server's usage and the real round trip.
    rows = re.findall(r"eval:(\w[\w ]*):part0.*?│ ok │ (\d+) │ (\d+) │ (\d+)", output)
    assert len(rows) == 3 and all(int(tokens_in) > 0 and int(tokens_out) > 0 for _, tokens_in, tokens_out, _ in rows)


def test_answers_breaking_the_quote_rule_are_counted_as_schema_failures(use_fake_openai, cli_app):
    use_fake_openai.mode = "bad_quotes"
    code, output = run(cli_app, "--split", "holdout")
    assert code == 0, output
    assert "schema failures 6" in output and "failed teams 3" in output  # each team: the answer and its retry
    assert "lesson recall 0% (0/10)" in output


def test_offline_flag_evaluates_without_a_model(use_fake_openai, cli_app):
    code, output = run(cli_app, "--offline")
    assert code == 0, output
    assert use_fake_openai.requests == []
    assert "Evaluating the writer offline on 8 teams" in output
    assert re.search(r"holdout: lesson recall (9\d|100)%", output)


def test_a_missing_set_is_a_clear_error(cli_app, tmp_path):
    code, output = run(cli_app, "--set", str(tmp_path))
    assert code != 0 and "no evaluation teams in" in output and "--set" in output
