"""Approval pages: the leads' queue (approve, send back, bulk approve) and the person's resubmission."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from ..inputs import whole_number
from ..models import Completion, CompletionStatus, Role
from ..security import role_required
from ..web import db, reads_only, render
from .access import visible_challenge
from .approvals import ApprovalRefused, approval_queue, approve, approve_many, mark_approvals_seen, resubmit, send_back
from .missions import CompletionRefused
from .progress import challenge_page
from .routes import bp


def _queue_page(errors: dict | None = None, status: int = 200):
    session = db()
    return render("play/approvals.html", items=approval_queue(session, current_user),
                  sent_back=approval_queue(session, current_user, CompletionStatus.SENT_BACK),
                  errors=errors or {}, status=status)


@bp.get("/approvals")
@role_required(Role.LEAD)
@reads_only
def approvals():
    """Evidence waiting for approval in the teams I lead (every team for an admin)."""
    return _queue_page()


@bp.post("/approvals/<int:completion_id>/approve")
@role_required(Role.LEAD)
def approve_completion(completion_id: int):
    """Approve one completion: its points, skill XP, badges and prompt count now (once)."""
    session = db()
    try:
        result = approve(session, current_user, completion_id)
    except ApprovalRefused as refusal:
        session.rollback()
        return _queue_page({completion_id: refusal.message}, 422)
    session.commit()
    flash("Already approved by someone else." if result.already else "Approved: the points count now.", "success")
    return redirect(url_for("play.approvals"), 303)


@bp.post("/approvals/<int:completion_id>/send-back")
@role_required(Role.LEAD)
def send_back_completion(completion_id: int):
    """Send evidence back with feedback the person reads before resubmitting."""
    session = db()
    try:
        send_back(session, current_user, completion_id, request.form.get("feedback", ""))
    except ApprovalRefused as refusal:
        session.rollback()
        return _queue_page({completion_id: refusal.message}, 422)
    session.commit()
    flash("Sent back with your feedback.", "success")
    return redirect(url_for("play.approvals"), 303)


@bp.post("/approvals/approve")
@role_required(Role.LEAD)
def approve_selected():
    """Approve every ticked completion the reviewer may approve."""
    session = db()
    ids = [number for number in map(whole_number, request.form.getlist("completion_id")) if number is not None]
    count = approve_many(session, current_user, ids)
    session.commit()
    flash(f"Approved {count} completion{'' if count == 1 else 's'}.", "success")
    return redirect(url_for("play.approvals"), 303)


@bp.post("/completions/<int:completion_id>/resubmit")
def resubmit_completion(completion_id: int):
    """Answer a lead's feedback with new evidence; it waits for approval again."""
    session = db()
    try:
        completion = resubmit(session, current_user, completion_id, request.form.get("evidence_text", ""),
                              request.form.get("evidence_url", ""))
    except CompletionRefused as refusal:
        session.rollback()
        completion = session.get(Completion, completion_id)
        page = challenge_page(session, current_user, visible_challenge(session, current_user, completion.challenge_id))
        resubmit_error = {"completion_id": completion_id, "message": refusal.message,
                          "evidence_text": request.form.get("evidence_text", ""),
                          "evidence_url": request.form.get("evidence_url", "")}
        return render("play/challenge.html", page=page, resubmit_error=resubmit_error, status=422)
    session.commit()
    flash("Evidence sent again: waiting for approval.", "success")
    return redirect(url_for("play.challenge", challenge_id=completion.challenge_id, _anchor="my-evidence"), 303)


@bp.post("/celebrations/seen")
def celebrations_seen():
    """Put away the approval celebrations I have read."""
    session = db()
    mark_approvals_seen(session, current_user)
    session.commit()
    challenge_id = request.form.get("challenge_id", type=int)
    if challenge_id:
        return redirect(url_for("play.challenge", challenge_id=challenge_id), 303)
    return redirect(url_for("play.points"), 303)
