"""`learnloop xapi backfill`: send the history to the learning record store, with a progress bar."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlmodel import Session

from ..db import get_engine

xapi_cli = AppGroup("xapi", help="xAPI statements to the learning record store.")


@xapi_cli.command("backfill")
def backfill_command() -> None:
    """Send every completion, reflection, feedback and badge so far (statements already there are skipped)."""
    from rich.progress import Progress

    from .backfill import backfill, count

    settings = current_app.config["LEARNLOOP"]
    if not settings.sends_xapi:
        raise click.ClickException("Set XAPI_ENDPOINT, XAPI_USERNAME and XAPI_PASSWORD (and PUBLIC_URL) first.")
    with Session(get_engine(settings.database_url), expire_on_commit=False) as session:
        total = count(session)
        with Progress() as progress:
            task = progress.add_task("Sending statements", total=total)
            counts = backfill(session, settings, lambda: progress.advance(task))
    click.echo(f"{counts['sent']} sent, {counts['already']} already in the LRS, {counts['failed']} left to retry.")
    if counts["failed"]:
        raise SystemExit(1)
