"""Import users and their teams from a CSV file, with a report of what happened to each row."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from ..auth.accounts import UNUSABLE_PASSWORD, AccountError, checked_email, normalise_email
from ..auth.invitations import Invitee, Sender, draft_invitations, store_invitations
from ..db import insert_rows
from ..models import Membership, Role, Team, User
from ..text import clean_name
from ..problems import Invalid, Problem
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
                  sender: Sender | None = None) -> ImportReport:
    """Create the users the file lists as invited accounts (the caller commits). Existing users are skipped,
    bad rows rejected. With `sender`, each created account gets its invitation email."""
    rows = read_rows(data)
    importer = PeopleImporter(session, create_missing_teams, sender)
    report = ImportReport(teams_created=importer.teams_created)
    for start in range(0, len(rows), BATCH_SIZE):
        report.rows.extend(importer.import_batch(rows[start:start + BATCH_SIZE]))
    return report


class PeopleImporter:
    """Imports rows a batch at a time: one query for the batch's existing emails, invitation emails composed
    before anything is written, then one insert per table for the whole batch. No password hashing:
    accounts are invited. Teams are looked up once per import."""

    def __init__(self, session: Session, create_missing_teams: bool, sender: Sender | None = None):
        self.session = session
        self.create_missing_teams = create_missing_teams
        self.sender = sender
        self.teams: dict[str, Team | None] = {}
        self.teams_created: list[str] = []
        self.seen: set[str] = set()

    def import_batch(self, rows: list[tuple[int, dict]]) -> list[RowResult]:
        emails = {normalise_email(row.get("email", "")) for _, row in rows}
        existing = set(self.session.exec(select(User.email).where(col(User.email).in_(emails)))) if emails else set()
        results, created = [], []
        for line, row in rows:
            result, account = self._row(line, row, existing)
            results.append(result)
            if account is not None:
                created.append(account)
        if not created:
            return results
        drafts = draft_invitations(self.sender, [Invitee(values["email"], values["display_name"], team.name)
                                                 for values, team, _ in created]) if self.sender else None
        # On SQLite the write lock is taken here and held only for these few statements.
        user_ids = insert_rows(self.session, User, [values for values, _, _ in created], returning=User.id)
        insert_rows(self.session, Membership, [dict(user_id=user_id, team_id=team.id, is_lead=lead)
                                               for user_id, (_, team, lead) in zip(user_ids, created, strict=True)])
        if drafts:
            store_invitations(self.session, self.sender, user_ids, drafts)
        return results

    def _row(self, line: int, row: dict, existing: set[str]) -> tuple[RowResult, tuple | None]:
        email = normalise_email(row.get("email", ""))
        reject = lambda reason: (RowResult(line, email, "rejected", reason), None)  # noqa: E731
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
        if email in self.seen or email in existing:
            return RowResult(line, email, "skipped", "a user with this email already exists"), None
        team = self._team(row["team"])
        if team is None and not self.create_missing_teams:
            return reject(f"there is no team {row['team']!r} (tick \"create missing teams\" to create it)")
        if team is None:
            try:
                team = create_team(self.session, row["team"])
            except Invalid as error:
                return reject(f"team {row['team']!r}: {error.problems[0].message}")
            self.teams[row["team"].strip().lower()] = team
            self.teams_created.append(team.name)
        lead = lead_text in YES
        role = Role.LEAD if lead and role_text != Role.ADMIN else Role(role_text)
        account = dict(email=email, password_hash=UNUSABLE_PASSWORD, display_name=(clean_name(row["name"]) or email)[:120], role=role)
        self.seen.add(email)
        return RowResult(line, email, "created", f"in {team.name}" + (" as lead" if lead else "")), (account, team, lead)

    def _team(self, name: str) -> Team | None:
        key = name.strip().lower()
        if key not in self.teams:
            self.teams[key] = find_team(self.session, name)
        return self.teams[key]
