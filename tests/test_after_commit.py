"""AfterCommit: an effect outside the database happens once its transaction commits, never for a rollback."""
from __future__ import annotations

from sqlmodel import Session, select

from webapp.db import AfterCommit, get_engine
from webapp.models import Team


def test_the_action_runs_once_after_the_marking_transaction_commits(session, database_url):
    def names_another_connection_sees():
        with Session(get_engine(database_url)) as other:
            return other.exec(select(Team.name)).all()

    runs = []
    after_commit = AfterCommit("test_commit", lambda: runs.append(names_another_connection_sees()))
    session.add(Team(name="Kept", slug="kept"))
    after_commit.mark(session)
    after_commit.mark(session)  # marked twice in one transaction: still one action
    assert runs == []  # nothing before the commit
    session.commit()
    assert runs == [["Kept"]]  # and other connections can already see the row
    session.add(Team(name="Unmarked", slug="unmarked"))
    session.commit()
    assert len(runs) == 1  # a later transaction that did not mark it does not run it


def test_a_rolled_back_mark_is_forgotten(session):
    runs = []
    after_commit = AfterCommit("test_rollback", lambda: runs.append(True))
    session.add(Team(name="Dropped", slug="dropped"))
    after_commit.mark(session)
    session.rollback()
    session.add(Team(name="Next", slug="next"))
    session.commit()
    assert runs == []
    assert session.exec(select(Team.name)).all() == ["Next"]
