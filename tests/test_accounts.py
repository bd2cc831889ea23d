"""Account rules that hold however an account is made or changed: the admin forms, CSV import, the CLI.

Passwords: long enough, typeable, not common. Emails: really addresses, stored in one visible form, never
a lookalike of one taken, never a spreadsheet formula. Names: no invisible or direction-changing characters.
"""
import pytest
from sqlmodel import select

from webapp.auth.accounts import AccountError, create_user
from webapp.people.csv_import import import_people
from webapp.models import Role, Team, User

from .conftest import PASSWORD, Auth

WEAK = ["12345678", "1234567890", "password123", "Password123", "qwertyuiop", "aaaaaaaaaaaa", "short"]


@pytest.fixture
def admin(client, make_user):
    make_user("admin@example.com", Role.ADMIN)
    auth = Auth(client)
    auth.login("admin@example.com")
    return auth


def new_user_form(email="new@example.com", name="New Person", password="a fine passphrase"):
    return {"email": email, "name": name, "role": "employee", "password": password}


def emails(session) -> set[str]:
    session.expire_all()
    return {user.email for user in session.exec(select(User))}


@pytest.mark.parametrize("password", WEAK)
def test_admin_cannot_create_an_account_with_a_weak_password(admin, session, password):
    response = admin.post("/admin/users", new_user_form(password=password), page="/admin/users")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "at least 10 characters" in html or "too easy to guess" in html
    assert 'value="new@example.com"' in html  # the rest of the form is kept
    assert "new@example.com" not in emails(session)


@pytest.mark.parametrize("password", [*WEAK, "x" * 201, "tab\tinside it", "new@example.com"])
def test_admin_cannot_reset_to_a_weak_or_untypeable_password(admin, make_user, session, client, password):
    user = make_user("new@example.com")
    response = admin.post(f"/admin/users/{user.id}/password", {"password": password}, page="/admin/users")
    assert response.status_code == 422
    session.expire_all()
    assert session.get(User, user.id).password_hash == user.password_hash  # unchanged
    admin.logout()
    assert admin.login("new@example.com", PASSWORD).status_code == 303  # the old password still works


def test_cli_refuses_a_common_password(app, session):
    result = app.test_cli_runner().invoke(args=["users", "create", "--email", "b@corp.example", "--password",
                                                "1234567890"])
    assert result.exit_code != 0 and "too easy to guess" in result.output
    assert session.exec(select(User)).all() == []


def test_a_good_passphrase_is_accepted(admin, session):
    assert admin.post("/admin/users", new_user_form(), page="/admin/users").status_code == 303
    admin.logout()
    assert admin.login("new@example.com", "a fine passphrase").status_code == 303


@pytest.mark.parametrize("email, stored", [
    ("  New.Person@Example.COM ", "new.person@example.com"),
    ("ｎｅｗ@example.com", "new@example.com"),  # full-width letters are the same address
])
def test_emails_are_stored_in_one_normal_form(admin, session, email, stored):
    assert admin.post("/admin/users", new_user_form(email=email), page="/admin/users").status_code == 303
    assert stored in emails(session)


@pytest.mark.parametrize("lookalike", [
    "ADA@example.com",
    "ａｄａ@example.com",        # full-width
    "a\u200bda@example.com",     # a zero-width space inside
    "ada\u200e@example.com",     # a left-to-right mark
])
def test_a_lookalike_of_a_taken_email_is_refused(admin, make_user, session, lookalike):
    make_user("ada@example.com")
    response = admin.post("/admin/users", new_user_form(email=lookalike), page="/admin/users")
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)
    assert len(emails(session)) == 2


@pytest.mark.parametrize("email, reason", [
    ("аda@example.com", "plain-letter (ASCII)"),   # a Cyrillic а
    ("ada@exаmple.com", "plain-letter (ASCII)"),
    ("ada@localhost", "not an email address"),
    ("ada@@example.com", "not an email address"),
    ("ada example@example.com", "not an email address"),
    ("Ada <ada@example.com>", "not an email address"),
    ("=HYPERLINK(\"x\")@example.com", "formula"),
])
def test_addresses_that_are_not_plain_email_are_refused(admin, session, email, reason):
    response = admin.post("/admin/users", new_user_form(email=email), page="/admin/users")
    assert response.status_code == 422
    assert reason in response.get_data(as_text=True)
    assert emails(session) == {"admin@example.com"}


def test_csv_rows_with_formula_like_or_lookalike_emails_are_not_imported(session, make_user):
    make_user("ada@example.com", team="platform")
    data = ("email,name,team\n"
            "=1+1@example.com,Eve,Platform\n"
            "+33@example.com,Eve,Platform\n"
            "-2@example.com,Eve,Platform\n"
            "@sum@example.com,Eve,Platform\n"
            "ａｄａ@example.com,Ada Again,Platform\n"
            "bob@example.com,Bob,Platform\n"
            "BOB@EXAMPLE.COM,Bob Again,Platform\n")
    report = import_people(session, data.encode())
    session.commit()
    outcomes = [(row.line, row.outcome) for row in report.rows]
    assert outcomes == [(2, "rejected"), (3, "rejected"), (4, "rejected"), (5, "rejected"), (6, "skipped"),
                        (7, "created"), (8, "skipped")]
    assert all("formula" in row.reason for row in report.rows[:4])
    assert emails(session) == {"ada@example.com", "bob@example.com"}


BIDI_AND_INVISIBLE = "\u202e\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u200b\u200c\u200d\u2060\ufeff"


def test_bidi_controls_and_zero_width_characters_are_stripped_from_peoples_names(admin, session):
    name = "Mallory\u202e gpj.exe\u200b \u2066Admin\u2069"
    admin.post("/admin/users", new_user_form(name=name), page="/admin/users")
    user = session.exec(select(User).where(User.email == "new@example.com")).one()
    assert user.display_name == "Mallory gpj.exe Admin"
    imported = import_people(session, f"email,name,team\ncsv@example.com,\u202eEve{BIDI_AND_INVISIBLE}Smith,Ops\n",
                             create_missing_teams=True)
    session.commit()
    assert imported.count("created") == 1
    assert session.exec(select(User).where(User.email == "csv@example.com")).one().display_name == "EveSmith"


def test_bidi_controls_are_stripped_from_team_names_and_cannot_fake_a_second_team(admin, session):
    admin.post("/admin/teams", {"name": "Plat\u202eform\u200b"}, page="/admin/teams")
    assert [team.name for team in session.exec(select(Team))] == ["Platform"]
    again = admin.post("/admin/teams", {"name": "\u200bPlatform"}, page="/admin/teams")
    assert again.status_code == 422 and "already exists" in again.get_data(as_text=True)


def test_create_user_itself_applies_every_rule(session):
    with pytest.raises(AccountError) as weak:
        create_user(session, "ok@example.com", "12345678", "Ok")
    assert weak.value.field == "password"
    with pytest.raises(AccountError) as formula:
        create_user(session, "-ok@example.com", "a fine passphrase", "Ok")
    assert formula.value.field == "email"
