"""The SQLite database is readable by its owner only."""
import os
import stat

from sqlalchemy import text

from webapp.db import dispose_engines, get_engine


def test_sqlite_file_and_its_journal_are_created_owner_only(tmp_path):
    old = os.umask(0o022)  # the usual umask, which would give 0644
    try:
        path = tmp_path / "instance" / "learnloop.db"
        with get_engine(f"sqlite:///{path}").begin() as connection:
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
            connection.execute(text("INSERT INTO t VALUES (1)"))
        created = [path, *(path.with_name(path.name + suffix) for suffix in ("-wal", "-shm"))]
        assert created[1].exists()  # WAL mode: the journal holds the write until a checkpoint
        for file in created:
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file.name
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    finally:
        os.umask(old)
        dispose_engines()
