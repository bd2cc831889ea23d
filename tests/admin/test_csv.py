"""CSV import of users and teams: a per-row report; a file without the needed columns is refused whole."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from webapp.people.csv_import import import_people
from webapp.problems import Invalid
from webapp.models import Membership, Role, Team, User

from .conftest import counts

DATA = Path(__file__).parent / "data"


def upload(auth, name: str, create_teams=False):
    data = {"file": (open(DATA / name, "rb"), name)}
    if create_teams:
        data["create_teams"] = "on"
    return auth.post("/admin/users/import", data, page="/admin/users/import", content_type="multipart/form-data")


def test_each_row_is_created_skipped_or_rejected_with_a_reason(session, make_user):
    make_user("existing@example.com", team="platform")
    report = import_people(session, (DATA / "people.csv").read_bytes())
    session.commit()
    outcomes = [(row.line, row.email, row.outcome) for row in report.rows]
    assert outcomes == [
        (2, "ada@example.com", "created"), (3, "bo@example.com", "created"),
        (4, "existing@example.com", "skipped"), (5, "bad-email", "rejected"), (6, "cy@example.com", "rejected"),
        (7, "di@example.com", "rejected"), (8, "ada@example.com", "skipped"),
    ]
    reasons = {row.line: row.reason for row in report.rows}
    assert "already exists" in reasons[4]
    assert "not an email address" in reasons[5]
    assert "role 'boss'" in reasons[6]
    assert "lead 'maybe'" in reasons[7]
    bo = session.exec(select(User).where(User.email == "bo@example.com")).one()
    assert bo.role is Role.LEAD
    assert session.exec(select(Membership).where(Membership.user_id == bo.id)).one().is_lead


def test_unknown_teams_are_rejected_unless_asked_to_create_them(session):
    before = counts(session)
    report = import_people(session, (DATA / "unknown_teams.csv").read_bytes())
    assert [row.outcome for row in report.rows] == ["rejected", "rejected"]
    assert "there is no team 'Nowhere'" in report.rows[0].reason
    session.rollback()
    assert counts(session) == before
    report = import_people(session, (DATA / "unknown_teams.csv").read_bytes(), create_missing_teams=True)
    session.commit()
    assert [row.outcome for row in report.rows] == ["created", "created"]
    assert report.teams_created == ["Nowhere", "Atlantis"]
    assert {t.slug for t in session.exec(select(Team))} == {"nowhere", "atlantis"}


def test_missing_columns_refuse_the_whole_file(session):
    with pytest.raises(Invalid, match="lacks the column\\(s\\) team; nothing was imported"):
        import_people(session, (DATA / "missing_columns.csv").read_bytes())


def test_upload_runs_as_a_job_and_its_page_shows_the_report(client, session, admin, auth, make_user, run_jobs):
    make_user("existing@example.com", team="platform")
    response = upload(auth, "people.csv")
    assert response.status_code == 303
    import_page = response.headers["Location"]
    waiting = client.get(import_page).get_data(as_text=True)
    assert "Importing" in waiting and 'hx-trigger="load delay:1s"' in waiting  # the fragment polls itself
    run_jobs()
    page = client.get(import_page, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in page and "hx-trigger" not in page  # the final state stops polling
    assert "2 invited, 2 skipped, 3 rejected." in page
    assert "a user with this email already exists" in page
    assert '<progress id="import-bar" value="7" max="7">' in page


def test_upload_with_missing_columns_changes_nothing(client, session, admin, auth):
    before = counts(session)
    response = upload(auth, "missing_columns.csv")
    assert response.status_code == 422
    assert "lacks the column(s) team" in response.get_data(as_text=True)
    assert counts(session) == before


def test_upload_with_unknown_teams_invites_nobody(client, session, admin, auth, run_jobs):
    users_before = len(session.exec(select(User)).all())
    response = upload(auth, "unknown_teams.csv")
    run_jobs()
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "0 invited, 0 skipped, 2 rejected." in page and "create missing teams" in page
    assert len(session.exec(select(User)).all()) == users_before
    assert session.exec(select(Team)).all() == []


def test_upload_can_create_missing_teams(client, session, admin, auth, run_jobs):
    response = upload(auth, "unknown_teams.csv", create_teams=True)
    run_jobs()
    assert "Teams created: Nowhere, Atlantis." in client.get(response.headers["Location"]).get_data(as_text=True)


def test_not_utf8_is_refused(session):
    with pytest.raises(Invalid, match="not UTF-8"):
        import_people(session, "email,name,team\nzoë@example.com,Zoë,Platform\n".encode("latin-1"))


def test_import_hashes_no_password_and_writes_in_batches(client, session, admin, auth, make_user, run_jobs,
                                                         monkeypatch):
    import webapp.people.csv_import as csv_import
    import webapp.security

    def no_hashing(password):
        raise AssertionError("an import must not hash passwords")

    monkeypatch.setattr(webapp.security, "hash_password", no_hashing)
    monkeypatch.setattr(csv_import, "BATCH_SIZE", 3)
    batches = []
    real_batch = csv_import.PeopleImporter.import_batch
    monkeypatch.setattr(csv_import.PeopleImporter, "import_batch",
                        lambda self, rows: batches.append(len(rows)) or real_batch(self, rows))
    make_user("existing@example.com", team="platform")
    response = upload(auth, "people.csv")
    run_jobs()
    assert batches == [3, 3, 1]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 invited, 2 skipped, 3 rejected." in page


def test_an_import_stopped_halfway_resumes_where_it_stopped(client, session, admin, auth, make_user, run_jobs,
                                                            monkeypatch):
    import webapp.people.csv_import as csv_import
    from webapp.models import Email, Invitation, JobStatus, OutboxJob, PeopleImport

    monkeypatch.setattr(csv_import, "BATCH_SIZE", 3)
    real_batch = csv_import.PeopleImporter.import_batch
    calls = []

    def crash_on_the_second_batch(self, rows):
        calls.append(rows[0][0])
        if len(calls) == 2:
            raise RuntimeError("the worker died")
        return real_batch(self, rows)

    monkeypatch.setattr(csv_import.PeopleImporter, "import_batch", crash_on_the_second_batch)
    make_user("existing@example.com", team="platform")
    response = upload(auth, "people.csv")
    assert run_jobs()[0] == JobStatus.PENDING  # the job failed after its first batch was committed
    people_import = session.exec(select(PeopleImport)).one()
    assert people_import.done == 3 and len(people_import.report) == 3

    from sqlalchemy import update

    from webapp.models import utcnow

    session.exec(update(OutboxJob).values(available_at=utcnow()))  # the backoff has passed
    session.commit()
    run_jobs()
    assert calls == [2, 5, 5, 8]  # the first batch was not imported twice
    session.expire_all()
    people_import = session.get(PeopleImport, people_import.id)
    assert [row[0] for row in people_import.report] == [2, 3, 4, 5, 6, 7, 8]
    assert len(session.exec(select(Invitation)).all()) == 2
    assert len(session.exec(select(Email)).all()) == 2
    assert "2 invited, 2 skipped, 3 rejected." in client.get(response.headers["Location"]).get_data(as_text=True)
