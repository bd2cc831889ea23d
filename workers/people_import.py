"""The CSV import job: invite the people of a stored file, a batch at a time (webapp.people.people_imports)."""
from __future__ import annotations

from sqlmodel import Session

from webapp.jobs import PEOPLE_IMPORT, job
from webapp.people.people_imports import mark_failed, run_import
from webapp.models import OutboxJob
from webapp.settings import get_settings


def mark_import_failed(session: Session, job: OutboxJob, reason: str) -> None:
    """Out of attempts: the import page says so instead of polling for ever (with the error, for the admin)."""
    mark_failed(session, job.payload["import_id"], job.last_error or "the import stopped")


@job(PEOPLE_IMPORT, on_failure=mark_import_failed)
def run_people_import(session: Session, *, import_id: int, job: OutboxJob) -> None:
    run_import(session, import_id, get_settings().secret_key_value())
