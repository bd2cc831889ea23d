"""docker-compose.yml cannot run here (no Docker engine), so check that its commands are the app's own."""
from pathlib import Path

import yaml
from click.testing import CliRunner

from webapp.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_compose_has_the_production_shape_with_health_checks():
    assert {"web", "worker", "scheduler", "postgres", "redis"} <= set(SERVICES)
    for name in ("web", "worker", "scheduler", "postgres", "redis"):
        assert "healthcheck" in SERVICES[name], name


def test_web_runs_the_app_factory_under_gunicorn():
    command = SERVICES["web"]["command"]
    assert command[0] == "gunicorn"
    module, _, call = command[-1].partition(":")
    assert call == "create_app()"
    factory = getattr(__import__(module), "create_app")
    assert callable(factory)


def test_worker_and_scheduler_use_real_rq_entry_points():
    import importlib

    worker = SERVICES["worker"]["command"]
    assert worker[:2] == ["rq", "worker"]
    worker_class = worker[worker.index("-w") + 1]
    module, _, name = worker_class.rpartition(".")
    assert getattr(importlib.import_module(module), name)
    assert worker[-1] == Settings().rq_queue  # the queue the app enqueues on
    scheduler = SERVICES["scheduler"]["command"]
    assert scheduler[:2] == ["rq", "cron"]
    importlib.import_module(scheduler[-1])


def test_migrate_service_runs_a_command_the_cli_has(app):
    command = SERVICES["migrate"]["command"]
    assert command[:1] == ["learnloop"]
    result = CliRunner().invoke(app.cli, [*command[1:], "--help"])
    assert result.exit_code == 0, result.output


def test_services_use_the_documented_settings():
    environment = COMPOSE["x-app"]["environment"]
    for name in environment:
        assert name.lower() in Settings.model_fields, f"{name} is not a setting the app reads"


def test_dockerfile_builds_what_compose_runs():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "uv sync --locked" in dockerfile
    for path in ("webapp", "workers", "prompts"):
        assert f"COPY {path} {path}" in dockerfile
