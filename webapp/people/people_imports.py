"""A CSV of people imported by a job: stored with the request, worked through in batches, each batch committed
with its progress, so other people's writes wait a moment at most and a page can show a progress bar."""
from __future__ import annotations

from dataclasses import astuple

from sqlmodel import Session

from ..auth.invitations import Sender
from ..jobs import PEOPLE_IMPORT, enqueue
from ..models import ImportStatus, PeopleImport, User, utcnow
from . import csv_import
from .csv_import import PeopleImporter, RowResult, read_rows


def start_import(session: Session, *, admin: User, file_name: str, data: bytes, create_missing_teams: bool,
                 base_url: str) -> PeopleImport:
    """Store the file and queue its job (the caller commits). Raises Invalid when the whole file is unusable."""
    rows = read_rows(data)  # refuse a file without the columns now, while the admin is looking
    text = data.decode("utf-8-sig")
    people_import = PeopleImport(created_by_id=admin.id, file_name=(file_name or "people.csv")[:255], csv_text=text,
                                 create_missing_teams=create_missing_teams, base_url=base_url[:255], total=len(rows))
    session.add(people_import)
    session.flush()
    enqueue(session, PEOPLE_IMPORT, f"people-import:{people_import.id}", fresh=True, import_id=people_import.id)
    return people_import


def run_import(session: Session, import_id: int, secret: str) -> None:
    """Import the rows not yet done, a batch per transaction; safe to run again after a crash (it resumes)."""
    people_import = session.get(PeopleImport, import_id)
    if people_import is None or people_import.status is ImportStatus.DONE:
        return
    rows = read_rows(people_import.csv_text)
    admin = session.get(User, people_import.created_by_id) if people_import.created_by_id else None
    sender = Sender(base_url=people_import.base_url, secret=secret,
                    inviter_name=admin.display_name if admin else "Your Learnloop admin", inviter_id=admin and admin.id)
    importer = PeopleImporter(session, people_import.create_missing_teams, sender)
    importer.teams_created = list(people_import.teams_created)
    people_import.status, people_import.total = ImportStatus.RUNNING, len(rows)
    session.add(people_import)
    session.commit()
    batch = csv_import.BATCH_SIZE
    for start in range(people_import.done, len(rows), batch):
        results = importer.import_batch(rows[start:start + batch])
        people_import.report = people_import.report + [list(astuple(result)) for result in results]
        people_import.done = start + len(results)
        people_import.teams_created = list(importer.teams_created)
        session.add(people_import)
        session.commit()
    people_import.status, people_import.finished_at = ImportStatus.DONE, utcnow()
    session.add(people_import)


def mark_failed(session: Session, import_id: int, error: str) -> None:
    people_import = session.get(PeopleImport, import_id)
    if people_import is not None and people_import.status is not ImportStatus.DONE:
        people_import.status, people_import.error = ImportStatus.FAILED, error
        session.add(people_import)


def report_rows(people_import: PeopleImport) -> list[RowResult]:
    return [RowResult(*row) for row in people_import.report]


def counts(people_import: PeopleImport) -> dict[str, int]:
    tally = {"created": 0, "skipped": 0, "rejected": 0}
    for row in people_import.report:
        tally[row[2]] += 1
    return tally
