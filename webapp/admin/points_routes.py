"""Admin: a person's points history with a form to correct it, and the trail of every correction."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from ..models import Role, User
from ..play.adjustments import AdjustmentInvalid, adjust_points, adjustment_trail, enrolled_challenges, points_history
from ..play.ledger import user_points
from ..play.levels import level_for
from ..security import role_required
from ..web import db, render
from ..problems import found
from . import bp


def _person(user_id: int) -> User:
    return found(db().get(User, user_id))


def _points_page(person: User, values: dict | None = None, errors: dict | None = None, status: int = 200):
    session = db()
    total = user_points(session, person.id)
    challenges = enrolled_challenges(session, person)
    options = [("", "Choose a challenge")] + [(str(challenge.id), challenge.title) for challenge in challenges]
    return render("admin/points.html", status=status, person=person, total=total, level=level_for(total),
                  history=points_history(session, person), challenges=challenges, challenge_options=options,
                  values=values or {}, errors=errors or {})


@bp.get("/users/<int:user_id>/points")
@role_required(Role.ADMIN)
def person_points(user_id: int):
    """A person's points: total, level, every ledger event, and the correction form."""
    return _points_page(_person(user_id))


@bp.post("/users/<int:user_id>/points")
@role_required(Role.ADMIN)
def adjust_person_points(user_id: int):
    """Add or take away points, with the reason the person will read."""
    session = db()
    person = _person(user_id)
    form = request.form
    try:
        adjustment = adjust_points(session, current_user, person, form.get("challenge_id", type=int),
                                   form.get("amount", ""), form.get("reason", ""))
    except AdjustmentInvalid as invalid:
        session.rollback()
        values = {key: form.get(key, "") for key in ("challenge_id", "amount", "reason")}
        return _points_page(person, values, invalid.errors, status=422)
    session.commit()
    flash(f"{adjustment.amount:+d} points for {person.display_name} recorded.", "success")
    return redirect(url_for("admin.person_points", user_id=person.id), code=303)


@bp.get("/adjustments")
@role_required(Role.ADMIN)
def adjustments():
    """Every correction of points, with who made it and why."""
    return render("admin/adjustments.html", trail=adjustment_trail(db()))
