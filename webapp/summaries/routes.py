"""Review pages: a lead's queue, a summary beside its sources, edit, regenerate, approve, publish, reject, compare."""
from __future__ import annotations

from flask import Blueprint, abort, flash, request, url_for
from flask_login import current_user

from ..inputs import page_number, whole_number
from ..models import Challenge, Role, SummaryStatus, Team
from ..security import role_required
from ..web import db, render, see_other
from .access import summary_for_lead
from .queries import compare_versions, review_queue, version_number, version_sections, versions_of
from .sections import SECTIONS
from .transitions import (
    InvalidReview, NotAllowed, ReviewError, StaleRevision, approve_summary, current_version, edit_summary,
    publish_summary, regenerate_summary, reject_summary,
)

bp = Blueprint("review", __name__, url_prefix="/review")
STATUSES = [status.value for status in SummaryStatus]


@bp.get("")
@role_required(Role.LEAD)
def queue():
    """My teams' lesson summaries (every team's for an admin), newest first, with their status."""
    status = request.args.get("status") or None
    if status is not None and status not in STATUSES:
        status = None
    page = page_number(request.args)
    # `status` is render()'s HTTP status, so the chosen filter reaches the template under another name.
    return render("summaries/queue.html", queue=review_queue(db(), current_user, status, page), chosen_status=status,
                  statuses=STATUSES)


@bp.get("/summaries/<int:summary_id>")
@role_required(Role.LEAD)
def summary(summary_id: int):
    """A summary's current version, each lesson beside the reflections it cites; polls while being written."""
    return _summary_page(summary_for_lead(db(), current_user, summary_id))


@bp.get("/summaries/<int:summary_id>/versions/<int:number>")
@role_required(Role.LEAD)
def version(summary_id: int, number: int):
    """One earlier (or the current) version, read-only."""
    summary = summary_for_lead(db(), current_user, summary_id)
    shown = version_number(db(), summary, number)
    if shown is None:
        abort(404)
    return _summary_page(summary, shown=shown)


@bp.get("/summaries/<int:summary_id>/compare")
@role_required(Role.LEAD)
def compare(summary_id: int):
    """Two versions side by side, section by section, with the words that changed."""
    session = db()
    summary = summary_for_lead(db(), current_user, summary_id)
    numbers = [str(number) for number in range(1, summary.current_version + 1)]
    old_arg = request.args.get("old", str(max(1, summary.current_version - 1)))
    new_arg = request.args.get("new", str(summary.current_version))
    errors = {}
    if old_arg not in numbers:
        errors["old"] = "Choose a version of this summary."
    if new_arg not in numbers:
        errors["new"] = "Choose a version of this summary."
    old = new = None
    if not errors:
        old, new = version_number(session, summary, int(old_arg)), version_number(session, summary, int(new_arg))
    return render("summaries/compare.html", status=422 if errors else 200, **_context(summary), old=old, new=new,
                  diffs=compare_versions(old, new) if old and new else [], errors=errors,
                  form={"old": old_arg, "new": new_arg})


@bp.route("/summaries/<int:summary_id>/edit", methods=["GET", "POST"])
@role_required(Role.LEAD)
def edit(summary_id: int):
    """Edit the lessons' text; saving adds a version (refused if someone saved since this form was opened)."""
    session = db()
    summary = summary_for_lead(db(), current_user, summary_id)
    version = current_version(session, summary)
    if request.method == "GET":
        if summary.status not in (SummaryStatus.DRAFT, SummaryStatus.APPROVED) or version is None:
            flash(f"A {summary.status.value} summary cannot be edited.", "error")
            return see_other(url_for("review.summary", summary_id=summary.id))
        return render("summaries/edit.html", **_context(summary), version=version, revision=summary.revision,
                      texts=_texts_of(version.content), errors={})
    texts = {section: request.form.getlist(section) for section in SECTIONS}
    revision = _revision()
    try:
        edit_summary(session, current_user, summary.id, revision, texts)
    except InvalidReview as invalid:
        session.rollback()
        return render("summaries/edit.html", status=422, **_context(summary), version=version, revision=revision,
                      texts=texts, errors=invalid.errors)
    except StaleRevision as stale:
        session.rollback()
        return render("summaries/edit.html", status=409, **_context(summary), version=version, revision=revision,
                      texts=texts, errors={}, conflict=stale.message)
    except NotAllowed as refused:
        session.rollback()
        flash(refused.message, "error")
        return see_other(url_for("review.summary", summary_id=summary.id))
    session.commit()
    flash(f"Saved as version {summary.current_version}.", "success")
    return see_other(url_for("review.summary", summary_id=summary.id))


@bp.post("/summaries/<int:summary_id>/regenerate")
@role_required(Role.LEAD)
def regenerate(summary_id: int):
    """Ask the writer for a new version, with my guidance."""
    guidance = request.form.get("guidance", "")
    return _transition(summary_id, lambda session, summary: regenerate_summary(
        session, current_user, summary.id, _revision(), guidance),
        "A new version is being written with your guidance.", {"guidance": guidance})


@bp.post("/summaries/<int:summary_id>/approve")
@role_required(Role.LEAD)
def approve(summary_id: int):
    """Mark this version as checked and ready to publish."""
    return _transition(summary_id, lambda session, summary: approve_summary(
        session, current_user, summary.id, _revision()), "Approved. Publish it to put it in the library.")


@bp.post("/summaries/<int:summary_id>/publish")
@role_required(Role.LEAD)
def publish(summary_id: int):
    """Put the lessons in the library and tell the team."""
    return _transition(summary_id, lambda session, summary: publish_summary(
        session, current_user, summary.id, _revision()), "Published: the lessons are in the library and the team was told.")


@bp.post("/summaries/<int:summary_id>/reject")
@role_required(Role.LEAD)
def reject(summary_id: int):
    """Refuse the summary, with a reason."""
    reason = request.form.get("reason", "")
    return _transition(summary_id, lambda session, summary: reject_summary(
        session, current_user, summary.id, _revision(), reason), "Rejected.", {"reason": reason})


def _transition(summary_id: int, act, success: str, form: dict | None = None):
    session = db()
    summary = summary_for_lead(db(), current_user, summary_id)
    try:
        act(session, summary)
    except ReviewError as refused:
        session.rollback()
        session.refresh(summary)
        status = 422 if isinstance(refused, InvalidReview) else 409
        errors = refused.errors if isinstance(refused, InvalidReview) else {"form": refused.message}
        return _summary_page(summary, status=status, errors=errors, form=form or {},
                             stale=isinstance(refused, StaleRevision))
    session.commit()
    flash(success, "success")
    return see_other(url_for("review.summary", summary_id=summary.id))


def _summary_page(summary, shown=None, status: int = 200, errors: dict | None = None, form: dict | None = None,
                  stale: bool = False):
    session = db()
    current = current_version(session, summary)
    shown = shown or current
    return render("summaries/summary.html", block="summary_body", status=status, **_context(summary),
                  shown=shown, current=current, sections=version_sections(session, summary, shown),
                  versions=versions_of(session, summary), errors=errors or {}, form=form or {}, stale=stale)


def _context(summary) -> dict:
    session = db()
    return {"summary": summary, "team": session.get(Team, summary.team_id),
            "challenge": session.get(Challenge, summary.challenge_id)}


def _texts_of(content: dict) -> dict[str, list[str]]:
    return {section: [item["text"] for item in content.get(section, [])] for section in SECTIONS}


def _revision() -> int:
    revision = whole_number(request.form.get("revision"))
    if revision is None:
        abort(400)
    return revision
