"""`learnloop badges keys | rotate-key | retire-key KEY_ID`: the issuer's signing keys."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlmodel import Session, select

from ..db import get_engine
from ..models import IssuerKey
from . import issuer

badges_cli = AppGroup("badges", help="Portable badges: the issuer's signing keys.")


def _session() -> Session:
    return Session(get_engine(current_app.config["LEARNLOOP"].database_url), expire_on_commit=False)


@badges_cli.command("keys")
def keys() -> None:
    """List the issuer's keys: the newest listed one signs; listed ones verify."""
    with _session() as session:
        rows = list(session.exec(select(IssuerKey).order_by(IssuerKey.id)))
        listed = [key for key in rows if key.retired_at is None]
        if not rows:
            click.echo("No key yet: the first claim makes one.")
        for key in rows:
            state = "retired " + key.retired_at.strftime("%Y-%m-%d") if key.retired_at else (
                "signs" if key is listed[-1] else "verifies")
            click.echo(f"{key.key_id}  created {key.created_at:%Y-%m-%d %H:%M}  {state}")


@badges_cli.command("rotate-key")
def rotate_key() -> None:
    """Make a new signing key; credentials signed with older keys keep verifying."""
    with _session() as session:
        key = issuer.rotate_key(session, current_app.config["SECRET_KEY"])
        session.commit()
        click.echo(f"New signing key {key.key_id}. Older keys stay in the DID document until retired.")


@badges_cli.command("retire-key")
@click.argument("key_id")
def retire_key(key_id: str) -> None:
    """Take KEY_ID out of the DID document: credentials it signed stop verifying (for a leaked key)."""
    with _session() as session:
        try:
            issuer.retire_key(session, key_id)
        except issuer.KeyNotFound:
            raise click.ClickException(f"No issuer key {key_id!r}; `learnloop badges keys` lists them.") from None
        session.commit()
        click.echo(f"Retired {key_id}: credentials it signed no longer verify.")
