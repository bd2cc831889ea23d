"""Operations pages for admins: background jobs."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for

from ..models import JobStatus, Role
from ..security import role_required
from ..web import db, render
from .outbox import JobNotRetryable, jobs_overview, retry_failed_job

bp = Blueprint("operations", __name__, url_prefix="/admin")


@bp.get("/jobs")
@role_required(Role.ADMIN)
def jobs():
    """Background jobs by status, newest first."""
    status = request.args.get("status")
    if status and status not in JobStatus.__members__.values():
        abort(400)
    overview = jobs_overview(db(), JobStatus(status) if status else None)
    return render("operations/jobs.html", block="jobs", overview=overview, status_filter=status)


@bp.post("/jobs/<int:job_id>/retry")
@role_required(Role.ADMIN)
def retry_job(job_id: int):
    """Give a failed job another set of attempts."""
    session = db()
    try:
        runs = retry_failed_job(session, job_id)
    except LookupError:
        abort(404)
    except JobNotRetryable as error:
        flash(str(error), "error")
        return redirect(url_for("operations.jobs"), code=303)
    session.commit()
    flash(f"Job {job_id} will run again." if runs.id == job_id
          else f"Job {runs.id}, the latest of the same summary, will run again.", "success")
    return redirect(url_for("operations.jobs"), code=303)
