from sqlmodel import select

from webapp.auth.accounts import authenticate
from webapp.models import Membership, Role, User


def test_create_user_of_each_role(app, session):
    runner = app.test_cli_runner()
    for role in Role:
        result = runner.invoke(args=["users", "create", "--email", f"{role.value}@corp.example", "--name", role.value,
                                     "--role", role.value, "--password", "long enough pw"])
        assert result.exit_code == 0, result.output
        assert f"Created {role.value}" in result.output
    assert {user.role for user in session.exec(select(User))} == set(Role)
    assert authenticate(session, "admin@corp.example", "long enough pw") is not None


def test_create_user_refuses_duplicates_and_short_passwords(app, session):
    runner = app.test_cli_runner()
    args = ["users", "create", "--email", "a@corp.example", "--password"]
    assert runner.invoke(args=[*args, "long enough pw"]).exit_code == 0
    duplicate = runner.invoke(args=[*args, "long enough pw"])
    assert duplicate.exit_code != 0 and "already exists" in duplicate.output
    short = runner.invoke(args=["users", "create", "--email", "b@corp.example", "--password", "short"])
    assert short.exit_code != 0 and "at least 10 characters" in short.output
    assert len(session.exec(select(User)).all()) == 1


def test_demo_load_gives_the_readme_accounts_and_is_skipped_when_not_empty(app, session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0, result.output
    for email, role in [("admin@example.com", Role.ADMIN), ("lead@example.com", Role.LEAD),
                        ("employee@example.com", Role.EMPLOYEE)]:
        user = authenticate(session, email, "learnloop")
        assert user is not None and user.role == role
    lead = authenticate(session, "lead@example.com", "learnloop")
    assert session.exec(select(Membership).where(Membership.user_id == lead.id)).one().is_lead
    users = len(session.exec(select(User)).all())
    assert users >= 20  # enough people for a lively leaderboard
    again = runner.invoke(args=["demo", "load", "--if-empty"])
    assert "not loaded" in again.output
    assert len(session.exec(select(User)).all()) == users


def test_readme_lists_the_demo_accounts():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    for email in ("admin@example.com", "lead@example.com", "employee@example.com"):
        assert email in readme
    assert "learnloop" in readme


def test_db_commands_migrate(app, database_url):
    from webapp.migrate import head_revision

    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert runner.invoke(args=["db", "current"]).output.strip() == head_revision()
