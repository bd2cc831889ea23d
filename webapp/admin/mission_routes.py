"""Admin: a challenge's missions (inline editing, reordering, retiring) and badges."""
from __future__ import annotations

from flask import redirect, request, url_for

from ..challenges import badges as badge_rules_service
from ..challenges import missions as mission_service
from ..problems import found
from ..models import Badge, Challenge, Mission, Role
from ..security import role_required
from ..web import db, form_post, is_htmx, render, saved
from . import bp
from .challenge_routes import CHOICES, challenge_context, get_challenge
from .forms import badge_fields, badge_values, mission_fields, mission_values


def get_mission(mission_id: int) -> tuple[Mission, Challenge]:
    mission = found(db().get(Mission, mission_id))
    return mission, db().get(Challenge, mission.challenge_id)


def mission_context(mission: Mission, challenge: Challenge, **extra) -> dict:
    skills = mission_service.skills_by_mission(db(), challenge.id)
    context = dict(mission=mission, challenge=challenge, values=mission_values(mission, skills.get(mission.id)),
                   errors={}, mission_skills=skills,
                   completions={mission.id: mission_service.completion_count(db(), mission)},
                   editable=challenge.status.value in ("draft", "published", "running"), **CHOICES)
    context.update(extra)
    return context


def back_to_section(challenge: Challenge, section: str = "missions"):
    """htmx gets the refreshed section ("missions" or "badges"); a plain form goes back to it on the page."""
    if is_htmx():
        return render("admin/challenge.html", block=section, **challenge_context(challenge))
    return redirect(url_for("admin.challenge", challenge_id=challenge.id, _anchor=section), code=303)


@bp.post("/challenges/<int:challenge_id>/missions")
@role_required(Role.ADMIN)
def add_mission(challenge_id: int):
    """Add a mission at the end of the list."""
    challenge = get_challenge(challenge_id)
    return form_post(
        lambda: mission_service.add_mission(db(), challenge, mission_fields(request.form)),
        lambda error: render("admin/challenge.html", block="missions", status=422, **challenge_context(
            challenge, new_mission=request.form, mission_errors=error.by_field())),
        lambda _: back_to_section(challenge))


@bp.get("/missions/<int:mission_id>")
@role_required(Role.ADMIN)
def mission(mission_id: int):
    """The mission's row (htmx: what "Cancel" swaps back in); a plain visit goes to its challenge."""
    mission, challenge = get_mission(mission_id)
    if not is_htmx():
        return redirect(url_for("admin.challenge", challenge_id=challenge.id, _anchor=f"mission-{mission.id}"))
    return render("admin/mission.html", block="mission_row", **mission_context(mission, challenge))


@bp.get("/missions/<int:mission_id>/edit")
@role_required(Role.ADMIN)
def edit_mission(mission_id: int):
    """The mission's edit form: inline in the table with htmx, a page of its own without."""
    mission, challenge = get_mission(mission_id)
    return render("admin/mission.html", block="mission_form", **mission_context(mission, challenge))


@bp.post("/missions/<int:mission_id>")
@role_required(Role.ADMIN)
def update_mission(mission_id: int):
    """Save a mission; new points count for later completions only."""
    mission, challenge = get_mission(mission_id)

    def done(_):
        if is_htmx():
            return render("admin/mission.html", block="mission_row", **mission_context(mission, challenge))
        return saved(f"Mission “{mission.title}” saved.",
                     url_for("admin.challenge", challenge_id=challenge.id, _anchor="missions"))

    return form_post(
        lambda: mission_service.update_mission(db(), challenge, mission, mission_fields(request.form)),
        lambda error: render("admin/mission.html", block="mission_form", status=422, **mission_context(
            mission, challenge, values=request.form, errors=error.by_field())),
        done)


@bp.post("/missions/<int:mission_id>/move")
@role_required(Role.ADMIN)
def move_mission(mission_id: int):
    """Move a mission one place up or down."""
    return _mission_action(mission_id, lambda s, c, m: mission_service.move_mission(s, c, m, request.form.get("direction", "")))


@bp.post("/missions/<int:mission_id>/retire")
@role_required(Role.ADMIN)
def retire_mission(mission_id: int):
    """Take a mission out of play, keeping its completions."""
    return _mission_action(mission_id, mission_service.retire_mission)


@bp.post("/missions/<int:mission_id>/restore")
@role_required(Role.ADMIN)
def restore_mission(mission_id: int):
    """Put a retired mission back in play."""
    return _mission_action(mission_id, mission_service.restore_mission)


@bp.post("/missions/<int:mission_id>/delete")
@role_required(Role.ADMIN)
def delete_mission(mission_id: int):
    """Delete a mission nobody completed."""
    return _mission_action(mission_id, mission_service.delete_mission)


def _mission_action(mission_id: int, action):
    mission, challenge = get_mission(mission_id)
    return form_post(
        lambda: action(db(), challenge, mission),
        lambda error: render("admin/challenge.html", block="missions", status=422, **challenge_context(
            challenge, mission_action_error=error.problems[0].message)),
        lambda _: back_to_section(challenge))


# --- badges -----------------------------------------------------------------------------------------------

def get_badge(badge_id: int) -> tuple[Badge, Challenge]:
    badge = found(db().get(Badge, badge_id))
    return badge, db().get(Challenge, badge.challenge_id)


@bp.post("/challenges/<int:challenge_id>/badges")
@role_required(Role.ADMIN)
def add_badge(challenge_id: int):
    """Define a badge from the rule vocabulary."""
    challenge = get_challenge(challenge_id)
    return form_post(
        lambda: badge_rules_service.add_badge(db(), challenge, badge_fields(request.form)),
        lambda error: render("admin/challenge.html", block="badges", status=422, **challenge_context(
            challenge, new_badge=request.form, badge_errors=error.by_field())),
        lambda _: back_to_section(challenge, "badges"))


@bp.get("/badges/<int:badge_id>/edit")
@role_required(Role.ADMIN)
def edit_badge(badge_id: int):
    """A badge's edit form."""
    badge, challenge = get_badge(badge_id)
    return render("admin/badge.html", badge=badge, challenge=challenge, values=badge_values(badge), errors={},
                  awarded=badge_rules_service.award_count(db(), badge), **CHOICES)


@bp.post("/badges/<int:badge_id>")
@role_required(Role.ADMIN)
def update_badge(badge_id: int):
    """Save a badge; badges already awarded stay awarded."""
    badge, challenge = get_badge(badge_id)
    return form_post(
        lambda: badge_rules_service.update_badge(db(), challenge, badge, badge_fields(request.form)),
        lambda error: render("admin/badge.html", status=422, badge=badge, challenge=challenge, values=request.form,
                             errors=error.by_field(), awarded=badge_rules_service.award_count(db(), badge), **CHOICES),
        lambda _: saved(f"Badge “{badge.name}” saved.",
                        url_for("admin.challenge", challenge_id=challenge.id, _anchor="badges")))


@bp.post("/badges/<int:badge_id>/<any(retire, restore, delete):action>")
@role_required(Role.ADMIN)
def badge_action(badge_id: int, action: str):
    """Retire, restore or delete (when never awarded) a badge."""
    badge, challenge = get_badge(badge_id)
    change = {"retire": badge_rules_service.retire_badge, "restore": badge_rules_service.restore_badge,
              "delete": badge_rules_service.delete_badge}[action]
    return form_post(
        lambda: change(db(), challenge, badge),
        lambda error: render("admin/challenge.html", block="badges", status=422, **challenge_context(
            challenge, badge_action_error=error.problems[0].message)),
        lambda _: back_to_section(challenge, "badges"))
