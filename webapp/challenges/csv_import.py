"""Import users and their teams from a CSV file, with a report of what happened to each row."""
from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import Session

from ..auth.accounts import AccountError, checked_email, create_user, find_user, normalise_email
from ..models import Role
from .problems import Invalid, Problem
from .teams import add_member, create_team, find_team

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


def import_people(session: Session, data: bytes | str, create_missing_teams: bool = False,
                  progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Create the users the file lists (the caller commits). Existing users are skipped, bad rows rejected."""
    rows = read_rows(data)
    report = ImportReport()
    seen: set[str] = set()
    for done, (line, row) in enumerate(rows, start=1):
        report.rows.append(_import_row(session, line, row, create_missing_teams, seen, report))
        if progress:
            progress(done, len(rows))
    return report


def _import_row(session, line, row, create_missing_teams, seen, report) -> RowResult:
    email = normalise_email(row.get("email", ""))
    reject = lambda reason: RowResult(line, email, "rejected", reason)  # noqa: E731
    if not email:
        return reject("email is empty")
    try:
        email = checked_email(email)
    except AccountError as error:
        return reject(str(error))
    if not row.get("name"):
        return reject("name is empty")
    if not row.get("team"):
        return reject("team is empty")
    role_text = (row.get("role") or "employee").lower()
    if role_text not in Role.__members__.values():
        return reject(f"role {role_text!r} is not employee, lead or admin")
    lead_text = (row.get("lead") or "").lower()
    if lead_text not in YES | NO:
        return reject(f"lead {row.get('lead')!r} is not yes or no")
    if email in seen or find_user(session, email) is not None:
        return RowResult(line, email, "skipped", "a user with this email already exists")
    team = find_team(session, row["team"])
    if team is None and not create_missing_teams:
        return reject(f"there is no team {row['team']!r} (tick \"create missing teams\" to create it)")
    if team is None:
        try:
            team = create_team(session, row["team"])
        except Invalid as error:
            return reject(f"team {row['team']!r}: {error.problems[0].message}")
        report.teams_created.append(team.name)
    try:
        user = create_user(session, email, secrets.token_urlsafe(24), row["name"][:120], Role(role_text))
    except AccountError as error:
        return reject(str(error))
    session.flush()
    add_member(session, team, user, lead=lead_text in YES)
    seen.add(email)
    return RowResult(line, email, "created", f"in {team.name}" + (" as lead" if lead_text in YES else ""))
