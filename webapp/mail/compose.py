"""Compose a message (plain text and HTML from one pair of templates) and queue it for the email job.

Rendering needs no Flask app, so a job (the CSV import) composes messages as well as a request does, and
composing needs no database, so an import renders a batch's messages before it takes a write lock.
"""
from __future__ import annotations

import uuid
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlmodel import Session

from ..db import insert_rows
from ..jobs import SEND_EMAIL, enqueue
from ..models import Email

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "email"
_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def compose(kind: str, to: str, subject: str, **context) -> dict:
    """A message of `kind` (templates `<kind>.txt` and `<kind>.html`) to one address, as the columns of an
    Email row; not yet stored."""
    context.update(subject=subject)
    return dict(
        to=to, subject=subject[:200], kind=kind,
        text_body=_environment.get_template(f"{kind}.txt").render(**context),
        html_body=_environment.get_template(f"{kind}.html").render(**context),
        message_id=f"<{uuid.uuid4().hex}@learnloop>",
    )


def queue_emails(session: Session, messages: list[dict]) -> list[int]:
    """Store the messages and one job that sends them, in the caller's transaction (nothing is sent before
    commit). One job per batch, not per message, so an import of thousands does not queue thousands of jobs
    ahead of everyone else's. Returns the messages' ids."""
    ids = insert_rows(session, Email, messages, returning=Email.id)
    if ids:
        enqueue(session, SEND_EMAIL, f"email:{ids[0]}", fresh=True, email_ids=ids)
    return ids
