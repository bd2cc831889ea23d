"""Command line: `learnloop db upgrade`, `learnloop users create`, `learnloop demo load`, `learnloop serve`,
`learnloop eval summaries`.

`learnloop` is `flask --app webapp`: every Flask command (routes, shell) is there too.
"""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup
from sqlmodel import Session

from .db import get_engine
from .models import Role

db_cli = AppGroup("db", help="Database schema migrations.")
users_cli = AppGroup("users", help="User accounts.")
demo_cli = AppGroup("demo", help="Demo data for trying Learnloop out (never for production).")
eval_cli = AppGroup("eval", help="Measure the configured writer before switching models.")


def _settings():
    return current_app.config["LEARNLOOP"]


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Migrate the database up to REVISION (default: the latest)."""
    from .migrate import upgrade

    upgrade(_settings().database_url, revision)
    click.echo(f"Database migrated to {revision}.")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION ("base" removes every table)."""
    from .migrate import downgrade

    downgrade(_settings().database_url, revision)
    click.echo(f"Database migrated down to {revision}.")


@db_cli.command("current")
def db_current() -> None:
    """Print the database's schema revision."""
    from .migrate import current_revision

    click.echo(current_revision(_settings().database_url) or "none")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", "display_name", default="")
@click.option("--role", type=click.Choice([role.value for role in Role]), default=Role.EMPLOYEE.value)
@click.option("--timezone", default="UTC")
@click.password_option()
def users_create(email: str, display_name: str, role: str, timezone: str, password: str) -> None:
    """Create a user of any role."""
    from .auth.accounts import AccountError, create_user

    with Session(get_engine(_settings().database_url)) as session:
        try:
            user = create_user(session, email, password, display_name, Role(role), timezone)
        except AccountError as error:
            raise click.ClickException(str(error)) from None
        session.commit()
        click.echo(f"Created {user.role.value} {user.email} (id {user.id}).")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
def demo_load(if_empty: bool) -> None:
    """Load demo teams, users and a running challenge (accounts are listed in the README)."""
    from .demo import database_is_empty, load_demo

    with Session(get_engine(_settings().database_url), expire_on_commit=False) as session:
        if if_empty and not database_is_empty(session):
            click.echo("Database already has data; demo data not loaded.")
            return
        summary = load_demo(session)
    click.echo(summary)


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", type=int, default=None, help="Defaults to the PORT setting (5000).")
def serve(host: str, port: int | None) -> None:
    """Serve the app with the in-process job pump (the embedded default; use gunicorn in production)."""
    from .jobs import start_pump

    settings = _settings()
    if settings.outbox_pump:
        start_pump(settings)
    # Werkzeug's server directly: Flask refuses app.run() inside a CLI command.
    from werkzeug.serving import run_simple

    run_simple(host, port or settings.port, current_app._get_current_object(), threaded=True)


@eval_cli.command("summaries")
@click.option("--set", "folder", type=click.Path(exists=True, file_okay=False), default=None,
              help="Folder of evaluation YAML files (default: the shipped set, tests/evaluation).")
@click.option("--split", type=click.Choice(["all", "tuning", "holdout"]), default="all")
@click.option("--offline", is_flag=True, help="Use the offline writer even when a model is configured.")
def eval_summaries(folder: str | None, split: str, offline: bool) -> None:
    """Summarise the evaluation teams with the configured writer (offline, or the OPENAI_BASE_URL model) and
    print lesson recall, citation validity, schema failures, tokens and latency per call."""
    from rich.console import Console

    from workers.evaluation import DEFAULT_SET, load_set, run_with_progress

    settings = _settings()
    try:
        teams = load_set(Path(folder) if folder else DEFAULT_SET)
    except FileNotFoundError as error:  # an image built without tests/: point at a copy of the set
        raise click.ClickException(f"{error}; pass --set with a folder of evaluation files") from None
    teams = [team for team in teams if split == "all" or team.split == split]
    if not teams:
        raise click.ClickException(f"no teams in the {split} split")
    run_with_progress(settings, teams, Console(), offline=offline)


def register_cli(app: Flask) -> None:
    from .credentials.cli import badges_cli
    from .outbound.cli import xapi_cli

    for command in (db_cli, users_cli, demo_cli, eval_cli, serve, badges_cli, xapi_cli):
        app.cli.add_command(command)


def main() -> None:
    """The `learnloop` console script."""
    from . import create_app

    FlaskGroup(create_app=create_app, help="Learnloop's command line.")()
