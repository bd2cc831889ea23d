"""CSV import of users and teams: a per-row report; a file without the needed columns is refused whole."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from webapp.challenges.csv_import import import_people
from webapp.challenges.problems import Invalid
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
