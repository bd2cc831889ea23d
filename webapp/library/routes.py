"""Library pages: search and filter published lessons, a published summary, Markdown exports."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from ..inputs import page_number, whole_number
from ..models import Challenge, ChallengeStatus, LessonSummary, MissionKind, SummaryStatus, Team, User
from ..web import db, reads_only, render
from .export import challenge_markdown, filename, summary_markdown
from .lessons import (
    NotPublished, filter_choices, lesson_texts, mark_read, published_summary, set_name_in_library,
    unread_lesson_notifications,
)
from .search import QUERY_MAX, LessonFilters, search_lessons

bp = Blueprint("library", __name__, url_prefix="/library")


def parse_filters(args) -> tuple[LessonFilters, dict[str, str], dict[str, str]]:
    """The search form's values as filters, the errors beside each field, and the raw values to show again."""
    form = {name: args.get(name, "").strip() for name in ("q", "team", "challenge", "kind")}
    errors = {}
    if len(form["q"]) > QUERY_MAX:
        errors["q"] = f"Search with at most {QUERY_MAX} characters."
    ids = {}
    for name in ("team", "challenge"):
        ids[name] = whole_number(form[name])
        if form[name] and ids[name] is None:
            errors[name] = f"Choose a {name} from the list."
    kinds = [kind.value for kind in MissionKind]
    if form["kind"] and form["kind"] not in kinds:
        errors["kind"] = "Choose a mission kind from the list."
    filters = LessonFilters(form["q"][:QUERY_MAX], ids["team"], ids["challenge"],
                            MissionKind(form["kind"]) if form["kind"] in kinds else None)
    return filters, errors, form


@bp.get("")
@reads_only
@login_required
def index():
    """Published lessons: the newest, or those matching a search, filtered by team, challenge and mission kind."""
    session = db()
    filters, errors, form = parse_filters(request.args)
    results = None if errors else search_lessons(session, filters, page_number(request.args))
    teams, challenges = filter_choices(session)
    texts = lesson_texts(session, current_user, [hit.lesson for hit in results.hits]) if results else {}
    return render("library/index.html", block="results", status=422 if errors else 200, results=results,
                  lesson_texts=texts,
                  form=form, errors=errors, teams=teams, challenges=challenges, kinds=list(MissionKind),
                  notifications=unread_lesson_notifications(session, current_user))


@bp.get("/summaries/<int:summary_id>")
@login_required
def summary(summary_id: int):
    """A published summary: its lessons, and their sources for the team's members."""
    session = db()
    try:
        published = published_summary(session, current_user, summary_id)
    except NotPublished:
        abort(404)
    mark_read(session, current_user, summary_id)
    session.commit()
    return render("library/summary.html", published=published)


@bp.get("/summaries/<int:summary_id>/export.md")
@login_required
def export_summary(summary_id: int):
    """One published summary as a Markdown download."""
    session = db()
    summary = session.get(LessonSummary, summary_id)
    if summary is None or summary.status != SummaryStatus.PUBLISHED:
        abort(404)
    challenge, team = session.get(Challenge, summary.challenge_id), session.get(Team, summary.team_id)
    return _download(summary_markdown(session, summary), filename("lessons", team.name, challenge.title))


@bp.get("/challenges/<int:challenge_id>/export.md")
@login_required
def export_challenge(challenge_id: int):
    """Every published lesson of a challenge as a Markdown download."""
    session = db()
    challenge = session.get(Challenge, challenge_id)
    if challenge is None or challenge.status == ChallengeStatus.DRAFT:  # a draft's title is not news yet
        abort(404)
    return _download(challenge_markdown(session, challenge), filename("lessons", challenge.title))


@bp.get("/my-name")
@login_required
def name_setting():
    """Whether lessons read by the whole organisation may name me."""
    return render("library/name_setting.html", shown=current_user.show_name_in_library)


@bp.post("/my-name")
@login_required
def save_name_setting():
    """Save my choice: named in the organisation-wide library, or not (the default)."""
    session = db()
    shown = request.form.get("show_name") == "yes"
    set_name_in_library(session, session.get(User, current_user.id), shown)
    session.commit()
    flash("Lessons in the library will show your name." if shown
          else "Lessons in the library will not show your name.", "success")
    return redirect(url_for("library.name_setting"), code=303)


def _download(markdown: str, name: str) -> Response:
    return Response(markdown, mimetype="text/markdown",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
