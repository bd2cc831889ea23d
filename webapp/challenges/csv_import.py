"""Import users and their teams from a CSV file, with a report of what happened to each row."""
from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from ..auth.accounts import UNUSABLE_PASSWORD, AccountError, checked_email, normalise_email
from ..auth.invitations import Invitee, Sender, draft_invitations, store_invitations
from ..db import insert_rows
from ..models import Membership, Role, Team, User
from ..text import clean_name
from .problems import Invalid, Problem
from .teams import create_team, find_team

REQUIRED = ("email", "name", "team")
OPTIONAL = ("role", "lead")
MAX_ROWS = 20_000
YES, NO = {"yes", "y", "true", "1"}, {"no", "n", "false", "0", ""}


@dataclass
class RowResult:
    line: int
    email: str
    outcome: str  # created, skipped, rejected
    reason: str = ""


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)
    teams_created: list[str] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)


def read_rows(data: bytes | str) -> list[tuple[int, dict]]:
    """(line, row) pairs with lower-case column names. Raises Invalid, refusing the whole file, when it is unusable."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise Invalid([Problem(("file",), "the file is not UTF-8 text; save it as CSV UTF-8")]) from None
    reader = csv.DictReader(io.StringIO(data))
    columns = [name.strip().lower() for name in (reader.fieldnames or [])]
    if not columns:
        raise Invalid([Problem(("file",), "the file is empty; the first line must name the columns", 1)])
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise Invalid([Problem(("file",), f"line 1 lacks the column(s) {', '.join(missing)}; nothing was imported "
                                          f"(expected: email, name, team, and optionally role, lead)", 1)])
    reader.fieldnames = columns
    rows = []
    try:
        for row in reader:
            if len(rows) >= MAX_ROWS:
                raise Invalid([Problem(("file",), f"the file has more than {MAX_ROWS} rows; split it")])
            values = {key: (value or "").strip() for key, value in row.items() if key is not None}
            if any(values.values()):
                rows.append((reader.line_num, values))
    except csv.Error as error:
        raise Invalid([Problem(("file",), f"line {reader.line_num}: {error}", reader.line_num)]) from None
    return rows


BATCH_SIZE = 500


def import_people(session: Session, data: bytes | str, create_missing_teams: bool = False,
                  progress: Callable[[int, int], None] | None = None, sender: Sender | None = None) -> ImportReport:
    """Create the users the file lists as invited accounts (the caller commits). Existing users are skipped,
    bad rows rejected. With `sender`, each created account gets its invitation email."""
    rows = read_rows(data)
    importer = PeopleImporter(session, create_missing_teams, sender)
    report = ImportReport(teams_created=importer.teams_created)
    for start in range(0, len(rows), BATCH_SIZE):
        report.rows.extend(importer.import_batch(rows[start:start + BATCH_SIZE]))
        if progress:
            progress(min(start + BATCH_SIZE, len(rows)), len(rows))
    return report


from ..auth.accounts import UNUSABLE_PASSWORD, AccountError, checked_email, normalise_email
from ..auth.invitations import Invitee, Sender, draft_invitations, store_invitations
from ..db import insert_rows
from ..models import Membership, Role, Team, User
from ..text import clean_name
