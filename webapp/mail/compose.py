"""Compose a message (plain text and HTML from one pair of templates) and queue it for the email job.

Rendering needs no Flask app, so a job (the CSV import) composes messages as well as a request does.
"""
from __future__ import annotations

import uuid
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlmodel import Session

from ..jobs import enqueue
from ..models import Email

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "email"
_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def compose(kind: str, to: str, subject: str, **context) -> Email:
    """A message of `kind` (templates `<kind>.txt` and `<kind>.html`) to one address; not yet stored."""
    context.update(subject=subject)
    return Email(
        to=to, subject=subject[:200], kind=kind,
        text_body=_environment.get_template(f"{kind}.txt").render(**context),
        html_body=_environment.get_template(f"{kind}.html").render(**context),
        message_id=f"<{uuid.uuid4().hex}@learnloop>",
    )


def queue_emails(session: Session, emails: list[Email]) -> None:
    """Store the messages and one send job each, in the caller's transaction (nothing is sent before commit)."""
    session.add_all(emails)
    session.flush()
    for email in emails:
        enqueue(session, "email.send", f"email:{email.id}", fresh=True, email_id=email.id)
