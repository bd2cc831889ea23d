"""The email job: send one stored message through Flask-Mailman, or write it as an .eml file without a server.

The outbox row gives the retries: an SMTP outage makes the job fail and run again later with backoff,
so mail is delayed, never lost. `sent_at` is written in the job's own transaction, so a job delivered
twice sends once; the Message-ID stays the same on a retry, so a server that got a message just before a
crash can recognise the copy.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask
from flask_mailman import EmailMultiAlternatives, Mail
from sqlmodel import Session, col, select

from webapp.jobs import SEND_EMAIL, job
from webapp.models import Email, OutboxJob, utcnow
from webapp.settings import Settings, get_settings

log = logging.getLogger(__name__)
_apps: dict[tuple, Flask] = {}


@job(SEND_EMAIL)
def send_email(session: Session, *, email_ids: list[int], job: OutboxJob) -> None:
    """Send (or write) each of these messages that has not gone out yet, over one SMTP connection.

    Each message's `sent_at` is committed as soon as it has left, so a failure halfway (the server went
    away) leaves the rest for the retry, and nothing already sent goes twice."""
    settings = get_settings()
    app = _mail_app(settings)
    with app.app_context():
        connection = app.extensions["mailman"].get_connection() if settings.sends_mail else None
        if connection is not None:
            connection.open()  # one connection for the batch (send() alone would open and close one per message)
        try:
            # The batch's unsent messages in one statement, not one per message (the outbox claim lets a single
            # run of this job hold them; the session keeps them loaded across the commits below).
            unsent = session.exec(select(Email).where(col(Email.id).in_(email_ids), col(Email.sent_at).is_(None))
                                  .order_by(Email.id)).all()
            for email in unsent:
                headers = {"Message-ID": email.message_id}
                if email.unsubscribe_url:  # RFC 8058 one-click unsubscribe: the mail client POSTs to the link
                    headers["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
                    headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
                message = EmailMultiAlternatives(subject=email.subject, body=email.text_body, to=[email.to],
                                                 headers=headers, connection=connection)
                message.attach_alternative(email.html_body, "text/html")
                if connection is not None:
                    message.send()
                    how = f"sent through {settings.mail_server}:{settings.mail_port}"
                else:
                    email.file_name = write_eml(settings.mail_file_dir, email, message.message().as_bytes())
                    how = f"written to {email.file_name}"
                email.sent_at = utcnow()
                session.add(email)
                session.commit()
                log.info("email %s (%s) to %s %s", email.id, email.kind, email.to, how)
        finally:
            if connection is not None:
                connection.close()


def write_eml(directory: Path, email: Email, data: bytes) -> str:
    """Write the message as `<id>-<kind>.eml` (the same name on a retry, so never two copies)."""
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{email.id:07d}-{email.kind}.eml"
    partial = directory / f".{name}.partial"
    partial.write_bytes(data)
    os.replace(partial, directory / name)
    return name


def _mail_app(settings: Settings) -> Flask:
    """A bare Flask app carrying Flask-Mailman's configuration (jobs run outside the web app)."""
    password = settings.mail_password.get_secret_value() if settings.mail_password else None
    key = (settings.mail_server, settings.mail_port, settings.mail_use_tls, settings.mail_use_ssl,
           settings.mail_username, password, settings.mail_default_sender)
    app = _apps.get(key)
    if app is None:
        app = Flask("learnloop-mail")
        app.config.update(
            MAIL_SERVER=settings.mail_server or "localhost", MAIL_PORT=settings.mail_port,
            MAIL_USE_TLS=settings.mail_use_tls, MAIL_USE_SSL=settings.mail_use_ssl,
            MAIL_USERNAME=settings.mail_username, MAIL_PASSWORD=password,
            MAIL_DEFAULT_SENDER=settings.mail_default_sender, MAIL_TIMEOUT=30,
        )
        Mail(app)
        _apps[key] = app
    return app
