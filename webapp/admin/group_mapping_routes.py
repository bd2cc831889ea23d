"""Admin: which identity-provider groups put people in which teams, as leads, or make them admins."""
from __future__ import annotations

from flask import current_app, flash, request, url_for
from sqlmodel import select

from ..problems import found
from ..models import GroupMapping, Role, Team
from ..security import role_required
from ..sso import group_mappings
from ..web import db, form_post, render, see_other
from . import bp


def mappings_context(**extra) -> dict:
    session = db()
    context = dict(mappings=group_mappings.list_mappings(session),
                   teams=session.exec(select(Team).order_by(Team.name)).all(),
                   roles=group_mappings.ROLE_CHOICES, values={"role": Role.EMPLOYEE.value}, errors={},
                   settings=current_app.config["LEARNLOOP"])
    context.update(extra)
    return context


@bp.get("/sso/groups")
@role_required(Role.ADMIN)
def group_mappings_page():
    """The group mappings, and a form to add one."""
    return render("admin/group_mappings.html", **mappings_context())


@bp.post("/sso/groups")
@role_required(Role.ADMIN)
def add_group_mapping():
    """Map a provider group to a team (as members or leads) or to the admin role."""
    form = request.form

    def done(mapping):
        flash(f"Group {mapping.idp_group} mapped. It applies from each person's next sign-in.", "success")
        return see_other(url_for("admin.group_mappings_page"))

    return form_post(
        lambda: group_mappings.add_mapping(db(), form.get("idp_group", ""), form.get("team_id", ""), form.get("role", "")),
        lambda error: render("admin/group_mappings.html", block="mapping_form", status=422,
                             **mappings_context(values=form, errors=error.by_field())),
        done)


@bp.post("/sso/groups/<int:mapping_id>/remove")
@role_required(Role.ADMIN)
def remove_group_mapping(mapping_id: int):
    """Stop mapping a group (people keep what they have until their next sign-in)."""
    session = db()
    mapping = found(session.get(GroupMapping, mapping_id))
    group_mappings.remove_mapping(session, mapping)
    session.commit()
    flash(f"Mapping of group {mapping.idp_group} removed.", "success")
    return see_other(url_for("admin.group_mappings_page"))
