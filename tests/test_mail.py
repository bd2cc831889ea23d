"""Email goes through the outbox to a real SMTP server: both parts, logged, delayed by an outage, never lost or doubled."""
from __future__ import annotations

import logging
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

from sqlalchemy import update
from sqlmodel import select

from webapp.mail import compose, queue_emails
from webapp.models import Email, JobStatus, OutboxJob, Role, utcnow
from workers.runner import run_outbox_job


def queue_reset_email(session, to="ada@example.com"):
    message = compose("password_reset", to, "Reset your Learnloop password", name="Ada <script>",
                      link="http://localhost/password/reset/abc")
    [email_id] = queue_emails(session, [message])
    session.commit()
    return session.get(Email, email_id)


def test_message_arrives_with_plain_text_and_html_parts_and_is_logged(session, run_jobs, smtp_server, caplog):
    caplog.set_level(logging.INFO, logger="workers.mail")
    email = queue_reset_email(session)
    assert smtp_server.messages() == []  # nothing leaves inside the request's transaction
    run_jobs()
    [message] = smtp_server.messages()
    assert message["To"] == "ada@example.com" and message["Subject"] == "Reset your Learnloop password"
    assert message["Message-ID"] == email.message_id
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "http://localhost/password/reset/abc" in text and "Ada <script>" in text
    assert 'href="http://localhost/password/reset/abc"' in html and "Ada &lt;script&gt;" in html
    session.expire_all()
    assert session.get(Email, email.id).sent_at is not None
    assert f"email {email.id} (password_reset) to ada@example.com sent through 127.0.0.1" in caplog.text


def test_smtp_outage_delays_mail_loses_none_and_sends_none_twice(session, run_jobs, smtp_server):
    smtp_server.stop()
    email = queue_reset_email(session)
    assert run_jobs() == [JobStatus.PENDING]  # failed, to be tried again later
    job = session.exec(select(OutboxJob).where(OutboxJob.name == "email.send")).one()
    session.refresh(job)
    assert job.attempts == 1 and job.available_at > utcnow() and "Connection refused" in job.last_error
    assert session.get(Email, email.id).sent_at is None

    smtp_server.start()  # the server is back; the backoff has passed
    session.exec(update(OutboxJob).where(OutboxJob.id == job.id).values(available_at=utcnow() - timedelta(seconds=1)))
    session.commit()
    assert run_jobs() == [JobStatus.DONE]
    assert run_outbox_job(job.id, session.bind.url.render_as_string(hide_password=False)) == JobStatus.DONE
    session.exec(update(OutboxJob).where(OutboxJob.id == job.id).values(status=JobStatus.PENDING))  # delivered again
    session.commit()
    run_jobs()
    assert len(smtp_server.messages()) == 1


def test_without_a_mail_server_messages_are_eml_files_listed_for_admins(client, auth, session, make_user, run_jobs,
                                                                         monkeypatch, tmp_path):
    email = queue_reset_email(session)
    run_jobs()
    session.expire_all()
    stored = session.get(Email, email.id)
    path = Path(tmp_path / "mail" / stored.file_name)
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["To"] == "ada@example.com"
    assert message.get_body(("html",)) is not None

    make_user("admin@example.com", Role.ADMIN)
    auth.login("admin@example.com")
    listing = client.get("/admin/mail").get_data(as_text=True)
    assert "Reset your Learnloop password" in listing and "ada@example.com" in listing
    page = client.get(f"/admin/mail/{email.id}").get_data(as_text=True)
    assert '<a href="http://localhost/password/reset/abc">' in page
    download = client.get(f"/admin/mail/{email.id}.eml")
    assert download.status_code == 200 and download.data == path.read_bytes()


def test_a_rolled_back_change_sends_nothing(session, run_jobs, smtp_server):
    compose_and_roll_back = compose("password_reset", "ada@example.com", "Reset", name="Ada", link="http://x/")
    queue_emails(session, [compose_and_roll_back])
    session.rollback()
    assert run_jobs() == []
    assert smtp_server.messages() == []


def test_with_a_mail_server_admins_see_who_got_what_but_not_the_links(smtp_server, client, auth, session, make_user,
                                                                       run_jobs):
    email = queue_reset_email(session)
    run_jobs()
    make_user("admin@example.com", Role.ADMIN)
    auth.login("admin@example.com")
    assert "ada@example.com" in client.get("/admin/mail").get_data(as_text=True)
    page = client.get(f"/admin/mail/{email.id}").get_data(as_text=True)
    assert "went out through the mail server" in page and "/password/reset/abc" not in page


def test_one_job_sends_a_batch_over_one_connection_and_skips_what_already_went_out(session, run_jobs, smtp_server):
    messages = [compose("password_reset", f"p{n}@example.com", "Reset", name=f"P{n}", link="http://x/")
                for n in range(3)]
    ids = queue_emails(session, messages)
    session.commit()
    assert len(session.exec(select(OutboxJob).where(OutboxJob.name == "email.send")).all()) == 1
    first = session.get(Email, ids[0])
    first.sent_at = utcnow()  # an earlier attempt got this one out before the server went away
    session.add(first)
    session.commit()
    assert run_jobs() == [JobStatus.DONE]
    assert sorted(message["To"] for message in smtp_server.messages()) == ["p1@example.com", "p2@example.com"]


def test_the_test_mailbox_lists_messages_in_arrival_order_within_one_second():
    # Two messages in one second: as text, .M141395 (the later one) sorts before .M73570.
    from .support import delivery_order

    names = ["1796295675.M141395P22482Q2.vm", "1796295675.M73570P22482Q1.vm", "1796295676.M5P22482Q3.vm"]
    assert sorted(names, key=delivery_order) == [names[1], names[0], names[2]]
