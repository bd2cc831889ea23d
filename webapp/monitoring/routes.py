"""Programme pages: dashboards per challenge and across challenges, CSV exports, skills and self-assessments."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, request, url_for
from flask_login import current_user, login_required
from sqlmodel import select

from ..models import Challenge, Role
from ..problems import NotFound, found
from ..security import role_required
from ..web import db, render, see_other
from . import charts, figures
from .exports import TABLES, export_csv
from .scope import (
    Forbidden,
    build_scope,
    filter_teams,
    led_team_ids,
    monitored_challenge,
    watched_team_ids,
)
from .skill_xp import pending_approvals, skill_xp_figures
from .skills import (
    RATINGS,
    AssessmentInvalid,
    AssessmentUnavailable,
    SkillsInvalid,
    assessment_form,
    save_assessment,
    set_skills,
    skills_of,
)

bp = Blueprint("monitoring", __name__)


@bp.app_template_filter("percent")
def percent(value: float | None) -> str:
    """A share as a whole percentage, or a dash when there is nothing to divide by."""
    return "–" if value is None else f"{value * 100:.0f}%"


@bp.app_template_filter("average")
def average(value: float | None) -> str:
    """An average rating to two decimals, or a dash when no one answered."""
    return "–" if value is None else f"{value:.2f}"


def _scope_or_abort(challenge_id: int | None):
    session = db()
    try:
        challenge = monitored_challenge(session, current_user, challenge_id) if challenge_id is not None else None
        scope, filters = build_scope(session, current_user, request.args, challenge_id)
    except Forbidden:
        abort(403)
    return challenge, scope, filters


def _challenges_watched():
    query = select(Challenge).order_by(Challenge.starts_at.desc(), Challenge.id)
    watched = watched_team_ids(db(), current_user)
    if watched is not None:
        from ..models import ChallengeTeam

        query = query.where(Challenge.id.in_(select(ChallengeTeam.challenge_id).where(
            ChallengeTeam.team_id.in_(watched))))
    return list(db().exec(query))


def _dashboard(challenge_id: int | None):
    challenge, scope, filters = _scope_or_abort(challenge_id)
    try:
        teams = filter_teams(db(), current_user, challenge_id)
        challenges = _challenges_watched()
    except Forbidden:
        abort(403)
    data = None if filters.errors else figures.dashboard(db(), scope)
    pending = None if filters.errors else pending_approvals(db(), scope)
    return render("monitoring/dashboard.html", block="results", status=422 if filters.errors else 200,
                  challenge=challenge, challenges=challenges, filters=filters, teams=teams, data=data,
                  pending=pending,
                  charts=charts.chart_configs(data) if data else {}, tables=TABLES)


@bp.get("/monitoring/")
@role_required(Role.LEAD)
def overview():
    """The programme across challenges: funnel, completions, teams, missions, badges, skills."""
    if current_user.role == Role.LEAD and not led_team_ids(db(), current_user):
        # The Programme link shows to every lead; one who leads no team yet gets told why, not a 403.
        return render("monitoring/no_team.html")
    return _dashboard(None)


@bp.get("/monitoring/challenges/<int:challenge_id>")
@role_required(Role.LEAD)
def challenge(challenge_id: int):
    """One challenge's dashboard."""
    return _dashboard(challenge_id)


@bp.get("/monitoring/challenges/<int:challenge_id>/skill-xp")
@role_required(Role.LEAD)
def skill_xp(challenge_id: int):
    """XP per skill per team beside the self-assessment change: a page of its own (the dashboard loads it
    after its own figures), since it derives from the ledger rather than the rollups."""
    challenge, scope, filters = _scope_or_abort(challenge_id)
    rows = None if filters.errors else skill_xp_figures(db(), scope)
    return render("monitoring/skill_xp.html", block="skill_xp", status=422 if filters.errors else 200,
                  challenge=challenge, filters=filters, skill_xp=rows)


@bp.get("/monitoring/export/<table>.csv")
@bp.get("/monitoring/challenges/<int:challenge_id>/export/<table>.csv")
@role_required(Role.LEAD)
def export(table: str, challenge_id: int | None = None):
    """One dashboard table as CSV, with the same filters as the page."""
    if table not in TABLES:
        raise NotFound
    challenge, scope, filters = _scope_or_abort(challenge_id)
    if filters.errors:
        abort(400)
    name = f"{challenge.slug if challenge else 'all-challenges'}-{table}.csv"
    return Response(export_csv(db(), scope, table), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/monitoring/challenges/<int:challenge_id>/skills", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def skills(challenge_id: int):
    """Name the skills a challenge targets (one per line)."""
    session = db()
    target = found(session.get(Challenge, challenge_id))
    if request.method == "POST":
        text = request.form.get("skills", "")
        try:
            set_skills(session, target, text)
        except SkillsInvalid as refusal:
            session.rollback()
            return render("monitoring/skills.html", block="skills_form", status=422, challenge=target, text=text,
                          error=refusal.args[0])
        session.commit()
        flash("Skills saved.", "success")
        return see_other(url_for("monitoring.skills", challenge_id=challenge_id))
    text = "\n".join(skill.name for skill in skills_of(session, challenge_id))
    return render("monitoring/skills.html", challenge=target, text=text, error=None)


@bp.route("/challenges/<int:challenge_id>/self-assessment", methods=["GET", "POST"])
@login_required
def self_assessment(challenge_id: int):
    """A participant rates themselves 1 to 5 on each skill, before the challenge or after it closed."""
    session = db()
    target = found(session.get(Challenge, challenge_id))
    try:
        form = assessment_form(session, current_user, target, request.args.get("phase", "before"))
    except AssessmentUnavailable as refusal:
        abort(refusal.status, description=refusal.args[0])
    errors = {}
    if request.method == "POST":
        try:
            save_assessment(session, current_user, form, request.form)
        except AssessmentInvalid as invalid:
            session.rollback()
            errors = invalid.errors
        else:
            session.commit()
            flash("Thank you: your self-assessment is saved.", "success")
            return see_other(url_for("play.challenge", challenge_id=challenge_id))
    return render("monitoring/self_assessment.html", block="assessment_form", status=422 if errors else 200,
                  form=form, errors=errors, ratings=RATINGS)
