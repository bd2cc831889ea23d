"""A lead's Team lessons page: ask for a summary of the team's lessons now, watch it being written, retry it.

Reviewing a written summary (edit, approve, publish) is in `routes.py`; both move a summary only through
`transitions.py` and `requests.py`."""
from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user

from ..models import Challenge, Role, Team
from ..reflection.waiting import summary_waited
from ..security import role_required
from ..web import db, is_htmx, render
from .access import NotYourTeam, summary_for_lead
from .queries import latest_version, summary_view, team_summaries_for_lead
from .requests import SummaryBusy, summarise_now
from .transitions import retry_summary

bp = Blueprint("team_lessons", __name__)


@bp.app_context_processor
def _waiting_for_templates():
    return {"summary_waited": lambda summary: summary_waited(db(), summary)}


@bp.get("/reflection/team")
@role_required(Role.LEAD)
def team():
    """My teams' lesson summaries: ask for one now, see its state and its latest version."""
    return render("summaries/team.html", views=team_summaries_for_lead(db(), current_user.id),
                  request_key=uuid.uuid4().hex)


@bp.post("/reflection/team/<int:team_id>/challenges/<int:challenge_id>/summarise")
@role_required(Role.LEAD)
def summarise(team_id: int, challenge_id: int):
    """Ask for a summary of my team's lessons now."""
    session = db()
    try:
        summary = summarise_now(session, current_user, team_id, challenge_id, request.form.get("request_key", ""))
    except NotYourTeam:
        abort(403)
    except SummaryBusy as busy:
        flash(str(busy), "error")
        return redirect(url_for("team_lessons.team"), code=303)
    except ValueError:
        abort(400)
    session.commit()
    if is_htmx():
        return _summary_fragment(summary)
    flash("Your team's summary is being written.", "success")
    return redirect(url_for("team_lessons.team"), code=303)


@bp.get("/reflection/summaries/<int:summary_id>")
@role_required(Role.LEAD)
def summary(summary_id: int):
    """A summary's state (polls itself while it is being written) and its latest version, read-only."""
    return _summary_fragment(summary_for_lead(db(), current_user, summary_id))


@bp.post("/reflection/summaries/<int:summary_id>/retry")
@role_required(Role.LEAD)
def retry(summary_id: int):
    """Write a failed summary again."""
    session = db()
    try:
        summary = retry_summary(session, current_user, summary_id)
    except ValueError as error:
        flash(str(error), "error")
        return redirect(url_for("team_lessons.team"), code=303)
    session.commit()
    if is_htmx():
        return _summary_fragment(summary)
    flash("The summary is being written again.", "success")
    if request.form.get("back") == "review":  # asked from the summary's review page: back to it
        return redirect(url_for("review.summary", summary_id=summary.id), code=303)
    return redirect(url_for("team_lessons.team"), code=303)


def _summary_fragment(summary):
    session = db()
    view = summary_view(session, session.get(Team, summary.team_id), session.get(Challenge, summary.challenge_id))
    view.summary, view.version = summary, latest_version(session, summary)
    return render("summaries/team.html", block="summary_state", view=view, views=[view],
                  request_key=uuid.uuid4().hex)
