"""Admin: the list of challenges, creating one (blank, from a template or YAML), its details, teams and status."""
from __future__ import annotations

from datetime import UTC, datetime, time

from flask import Response, abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import func
from sqlmodel import select

from ..challenges import lifecycle
from ..challenges.badge_rules import RULES, describe
from ..challenges.badges import award_count, badges_of
from ..challenges.challenges import create_challenge, delete_draft, remove_team, teams_of, update_challenge, add_team
from ..challenges.missions import completion_count, missions_of, skills_by_mission
from ..problems import Invalid, found
from ..challenges.yaml_io import MAX_BYTES, export_challenge, import_challenge, import_template, list_templates
from ..icons import BADGE_ICONS
from ..inputs import parse_day, whole_number
from ..models import Cadence, Challenge, ChallengeStatus, ChallengeTeam, LeaderboardMode, MissionKind, Role, Team
from ..security import role_required
from ..web import db, form_post, is_htmx, render, saved
from . import bp
from .forms import challenge_fields, challenge_values

CHOICES = {
    "cadence_options": [(c.value, c.value.replace("_", " ").capitalize()) for c in Cadence],
    "mode_options": [(m.value, m.value.capitalize()) for m in LeaderboardMode],
    "kinds_options": [(k.value, k.value.capitalize()) for k in MissionKind],
    "badge_icon_options": [(name, name.replace("-", " ").capitalize()) for name in BADGE_ICONS],
    "any_kind_options": [("", "Any kind")] + [(k.value, k.value.capitalize()) for k in MissionKind],
    "approval_options": [("none", "Counts at once"), ("lead", "A lead approves")],
    "rule_options": [(rule.value, spec.label + (" (team)" if spec.scope == "team" else "")) for rule, spec in RULES.items()],
}


def get_challenge(challenge_id: int) -> Challenge:
    return found(db().get(Challenge, challenge_id))


def list_context(**extra) -> dict:
    session = db()
    team_counts = dict(session.exec(select(ChallengeTeam.challenge_id, func.count())
                                    .group_by(ChallengeTeam.challenge_id)).all())
    challenges = session.exec(select(Challenge).order_by(Challenge.starts_at.desc())).all()
    context = dict(challenges=challenges, team_counts=team_counts, templates=list_templates(), values={},
                   errors={}, import_problems=[], max_kb=MAX_BYTES // 1024, **CHOICES)
    context.update(extra)
    return context


def challenge_context(challenge: Challenge, **extra) -> dict:
    """Everything the challenge page shows; blocks render from the same context."""
    session = db()
    missions = missions_of(session, challenge)
    retired = missions_of(session, challenge, retired=True)
    badges = badges_of(session, challenge)
    teams = teams_of(session, challenge)
    context = dict(
        challenge=challenge, values=challenge_values(challenge), errors={}, missions=missions, retired=retired,
        completions={m.id: completion_count(session, m) for m in missions + retired},
        mission_skills=skills_by_mission(session, challenge.id),
        badges=badges, awards={b.id: award_count(session, b) for b in badges}, describe=describe,
        teams=teams, other_teams=session.exec(select(Team).where(Team.id.not_in([t.id for t in teams]))
                                              .order_by(Team.name).limit(1000)).all(),
        moves=lifecycle.allowed_moves(challenge), editable=challenge.status in (
            ChallengeStatus.DRAFT, ChallengeStatus.PUBLISHED, ChallengeStatus.RUNNING),
        new_mission={"evidence_required": True, "max_completions": 1, "cooldown_hours": 0, "points": 10},
        mission_errors={}, new_badge={}, badge_errors={}, mission_action_error=None, badge_action_error=None, team_error=None, status_error=None, saved=False,
        **CHOICES,
    )
    context.update(extra)
    return context


@bp.get("/challenges")
@role_required(Role.ADMIN)
def challenges():
    """Every challenge, with forms to start a new one."""
    return render("admin/challenges.html", **list_context())


@bp.post("/challenges")
@role_required(Role.ADMIN)
def create():
    """Create a blank draft challenge."""
    return form_post(
        lambda: create_challenge(db(), challenge_fields(request.form), current_user),
        lambda error: render("admin/challenges.html", block="new_challenge", status=422,
                             **list_context(values=request.form, errors=error.by_field())),
        lambda challenge: saved(f"Draft “{challenge.title}” created. Add missions, badges and teams, then publish it.",
                                url_for("admin.challenge", challenge_id=challenge.id)))


@bp.post("/challenges/templates/<name>")
@role_required(Role.ADMIN)
def use_template(name: str):
    """Create a draft from a shipped template."""
    session = db()
    starts_at = None
    if request.form.get("starts_on"):
        try:
            starts_at = datetime.combine(parse_day(request.form["starts_on"]), time(9), UTC)
        except ValueError as error:
            flash(f"{error} The draft starts next Monday instead.", "error")
    try:
        challenge = import_template(session, name, current_user, starts_at)
    except LookupError:
        abort(404)
    except Invalid as error:
        return render("admin/challenges.html", status=422, **list_context(import_problems=error.problems))
    session.commit()
    flash(f"Draft “{challenge.title}” created from the template. Check the dates, add teams, then publish.", "success")
    return redirect(url_for("admin.challenge", challenge_id=challenge.id), code=303)


@bp.post("/challenges/import")
@role_required(Role.ADMIN)
def import_yaml():
    """Create a draft challenge from an uploaded (or pasted) YAML file."""
    session = db()
    upload = request.files.get("file")
    text = upload.read(MAX_BYTES + 1) if upload and upload.filename else request.form.get("yaml", "").encode()
    if not text.strip():
        return render("admin/challenges.html", status=422,
                      **list_context(import_problems=["Choose a YAML file or paste one."]))
    return form_post(
        lambda: import_challenge(session, text, current_user),
        lambda error: render("admin/challenges.html", status=422, **list_context(import_problems=error.problems)),
        lambda challenge: saved(f"Draft “{challenge.title}” imported.",
                                url_for("admin.challenge", challenge_id=challenge.id)))


@bp.get("/challenges/<int:challenge_id>")
@role_required(Role.ADMIN)
def challenge(challenge_id: int):
    """One challenge: details, status, teams, missions and badges."""
    return render("admin/challenge.html", **challenge_context(get_challenge(challenge_id)))


@bp.post("/challenges/<int:challenge_id>")
@role_required(Role.ADMIN)
def update(challenge_id: int):
    """Save the challenge's details."""
    challenge = get_challenge(challenge_id)

    def done(_):
        if is_htmx():
            return render("admin/challenge.html", block="details", **challenge_context(challenge, saved=True))
        return saved("Challenge saved.", url_for("admin.challenge", challenge_id=challenge.id))

    return form_post(
        lambda: update_challenge(db(), challenge, challenge_fields(request.form)),
        lambda error: render("admin/challenge.html", block="details", status=422,
                             **challenge_context(challenge, values=request.form, errors=error.by_field())),
        done)


@bp.post("/challenges/<int:challenge_id>/status")
@role_required(Role.ADMIN)
def change_status(challenge_id: int):
    """Publish, unpublish, close or archive the challenge."""
    session = db()
    challenge = get_challenge(challenge_id)
    try:
        lifecycle.move(session, challenge, request.form.get("to", ""))
    except (Invalid, ValueError) as error:
        session.rollback()
        message = error.problems[0].message if isinstance(error, Invalid) else "Unknown status."
        return render("admin/challenge.html", status=422, **challenge_context(challenge, status_error=message))
    session.commit()
    flash(f"“{challenge.title}” is now {challenge.status.value}.", "success")
    return redirect(url_for("admin.challenge", challenge_id=challenge.id), code=303)


@bp.post("/challenges/<int:challenge_id>/delete")
@role_required(Role.ADMIN)
def delete(challenge_id: int):
    """Delete a draft."""
    challenge = get_challenge(challenge_id)
    return form_post(
        lambda: delete_draft(db(), challenge),
        lambda error: render("admin/challenge.html", status=422,
                             **challenge_context(challenge, status_error=error.problems[0].message)),
        lambda _: saved(f"Draft “{challenge.title}” deleted.", url_for("admin.challenges")))


@bp.post("/challenges/<int:challenge_id>/teams")
@role_required(Role.ADMIN)
def add_challenge_team(challenge_id: int):
    """Let a team take part."""
    return _change_teams(challenge_id, request.form.get("team_id", ""), add_team)


@bp.post("/challenges/<int:challenge_id>/teams/<int:team_id>/remove")
@role_required(Role.ADMIN)
def remove_challenge_team(challenge_id: int, team_id: int):
    """Stop a team taking part (before anyone of it enrolled)."""
    return _change_teams(challenge_id, str(team_id), remove_team)


def _change_teams(challenge_id: int, team_id: str, change):
    session = db()
    challenge = get_challenge(challenge_id)
    team = session.get(Team, number) if (number := whole_number(team_id)) is not None else None

    def apply():
        if team is None:
            raise Invalid.one("team", "Choose a team.")
        change(session, challenge, team)

    def done(_):
        if is_htmx():
            return render("admin/challenge.html", block="teams", **challenge_context(challenge))
        return redirect(url_for("admin.challenge", challenge_id=challenge.id, _anchor="teams"), code=303)

    return form_post(apply, lambda error: render("admin/challenge.html", block="teams", status=422, **challenge_context(
        challenge, team_error=error.problems[0].message)), done)


@bp.get("/challenges/<int:challenge_id>/export.yaml")
@role_required(Role.ADMIN)
def export(challenge_id: int):
    """The challenge as a YAML file to download."""
    challenge = get_challenge(challenge_id)
    return Response(export_challenge(db(), challenge), mimetype="application/yaml",
                    headers={"Content-Disposition": f'attachment; filename="{challenge.slug}.yaml"'})
