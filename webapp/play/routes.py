"""Playing pages: a challenge and its missions, joining, completing, leaderboards and the team feed."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from ..models import Mission, Role
from ..monitoring.skills import has_skills
from ..problems import NotFound, found
from ..web import db, is_htmx, reads_only, render
from .access import Forbidden, feed_team_id, visible_challenge
from .adjustments import points_history
from .enrolment import JoinRefused, join_challenge
from .feed import ITEM_TYPES, FeedRefused, find_item, give_feedback, give_kudos, team_feed
from .leaderboards import BoardCache, boards_for, mark_my_team, viewer_team_id
from .ledger import user_points
from .missions import CompletionRefused, CompletionResult, complete_mission
from .people import sight_of
from .person import person_page
from .progress import challenge_page, mission_cards, new_form_key, progress_of

bp = Blueprint("play", __name__, url_prefix="/play")
BOARD_REFRESH_SECONDS = 10


@bp.before_request
@login_required
def _signed_in():
    """Every playing page needs a signed-in user."""


def _challenge_or_404(challenge_id: int):
    return visible_challenge(db(), current_user, challenge_id)


@bp.get("/challenges/<int:challenge_id>")
@reads_only
def challenge(challenge_id: int):
    """A challenge: my progress in it, joining, and its missions to complete."""
    page = challenge_page(db(), current_user, _challenge_or_404(challenge_id))
    return render("play/challenge.html", page=page)


@bp.post("/challenges/<int:challenge_id>/join")
def join(challenge_id: int):
    """Join the challenge with one of my teams that takes part in it."""
    session = db()
    team_id = request.form.get("team_id", type=int)
    try:
        join_challenge(session, current_user, challenge_id, team_id)
    except Forbidden:
        abort(403)
    except JoinRefused as refusal:
        session.rollback()
        page = challenge_page(session, current_user, _challenge_or_404(challenge_id))
        return render("play/challenge.html", page=page, join_error=refusal.args[0], status=422)
    session.commit()
    if has_skills(session, challenge_id):  # rate the targeted skills first: the "before" of the programme's figures
        flash("You joined the challenge. First, rate yourself on the skills it targets.", "success")
        return redirect(url_for("monitoring.self_assessment", challenge_id=challenge_id, phase="before"), 303)
    flash("You joined the challenge. Pick a mission to start.", "success")
    return redirect(url_for("play.challenge", challenge_id=challenge_id), 303)


@bp.post("/missions/<int:mission_id>/complete")
def complete(mission_id: int):
    """Complete a mission with evidence; htmx gets the updated card and progress, others a redirect."""
    session = db()
    form = request.form
    try:
        result = complete_mission(session, current_user, mission_id, form.get("evidence_text", ""),
                                  form.get("evidence_url", ""), form.get("idempotency_key", ""))
    except CompletionRefused as refusal:
        session.rollback()
        return _refused(mission_id, refusal)
    session.commit()
    message = completion_message(result)
    mission = result.mission
    if not is_htmx():
        flash(message, "success")
        return redirect(url_for("play.challenge", challenge_id=mission.challenge_id, _anchor=f"mission-{mission_id}"), 303)
    return render("play/challenge.html", block="completed", card=mission_cards(session, current_user, [mission])[0],
                  progress=progress_of(session, current_user, mission.challenge_id, badge_limit=None,
                                       xp=result.total_points),
                  result=result, message=message)


def _refused(mission_id: int, refusal: CompletionRefused):
    session = db()
    mission = found(session.get(Mission, mission_id))  # refused before the mission was looked up (no form key)
    errors = {"mission_id": mission_id, "field": refusal.field, "message": refusal.message,
              "evidence_text": request.form.get("evidence_text", ""),
              "evidence_url": request.form.get("evidence_url", "")}
    if is_htmx():
        card = mission_cards(session, current_user, [mission])[0]
        return render("play/challenge.html", block="mission_card", card=card, errors=errors, status=422)
    page = challenge_page(session, current_user, _challenge_or_404(mission.challenge_id))
    return render("play/challenge.html", page=page, errors=errors, status=422)


def completion_message(result: CompletionResult) -> str:
    if result.pending:
        return ("Evidence sent: waiting for approval by a lead of your team. "
                "Points, skill XP and badges count once it is approved.")
    if result.repeated:
        return f"Already counted: this completion gave {result.points} points."
    parts = [f"Mission completed: +{result.points} points."]
    parts += [f"Badge earned: {awarded.badge.name}!" for awarded in result.badges]
    if result.level_up:
        parts.append(f"Level up: you are now level {result.level.number}, {result.level.name}.")
    return " ".join(parts)


@bp.get("/challenges/<int:challenge_id>/leaderboard")
@reads_only
def leaderboard(challenge_id: int):
    """Team and individual boards; htmx polls the `boards` block to keep them live."""
    challenge = _challenge_or_404(challenge_id)
    cache = current_app.extensions.setdefault("learnloop_board_cache", BoardCache())
    team_rows, people = boards_for(db(), challenge, current_user, cache, present_teams=_team_rows_html)
    team_rows = mark_my_team(team_rows, viewer_team_id(people))
    return render("play/leaderboard.html", block="boards", challenge=challenge, team_rows=team_rows, people=people,
                  refresh=BOARD_REFRESH_SECONDS)


def _team_rows_html(teams) -> Markup:
    return Markup(render_template("play/_team_rows.html", teams=teams))


@bp.get("/challenges/<int:challenge_id>/feed")
@reads_only
def feed(challenge_id: int, errors: dict | None = None, status: int = 200):
    """My team's feed in the challenge: completions and shared reflections, with kudos and feedback."""
    challenge = _challenge_or_404(challenge_id)
    session = db()
    team_id = feed_team_id(session, current_user, challenge_id)
    items = team_feed(session, current_user, challenge_id, team_id) if team_id else []
    return render("play/feed.html", challenge=challenge, items=items, errors=errors or {}, status=status)


def _item_or_404(item_type: str, item_id: int):
    if item_type not in ITEM_TYPES:
        raise NotFound
    return find_item(db(), current_user, item_type, item_id)


def _after_feed_action(ref, item_type: str, item_id: int, message: str | None = None):
    session = db()
    if is_htmx():
        items = team_feed(session, current_user, ref.challenge_id, ref.team_id)
        item = next((entry for entry in items if entry.item_type == item_type and entry.item_id == item_id), None)
        if item is not None:
            return render("play/feed.html", block="feed_item", item=item, errors={}, message=message)
    if message:
        flash(message, "success")
    return redirect(url_for("play.feed", challenge_id=ref.challenge_id, _anchor=f"{item_type}-{item_id}"), 303)


def _feed_refused(ref, item_type: str, item_id: int, refusal: FeedRefused):
    session = db()
    session.rollback()
    errors = {"key": f"{item_type}-{item_id}", "field": refusal.field, "message": refusal.message,
              "body": request.form.get("body", ""), "idempotency_key": request.form.get("idempotency_key", "")}
    if is_htmx():
        items = team_feed(session, current_user, ref.challenge_id, ref.team_id)
        item = next((entry for entry in items if entry.item_type == item_type and entry.item_id == item_id), None)
        if item is not None:
            return render("play/feed.html", block="feed_item", item=item, errors=errors, status=422)
    return feed(ref.challenge_id, errors=errors, status=422)


@bp.post("/feed/<item_type>/<int:item_id>/kudos")
def kudos(item_type: str, item_id: int):
    """Give kudos to a teammate's completion or shared reflection."""
    ref = _item_or_404(item_type, item_id)
    try:
        _, new = give_kudos(db(), current_user, item_type, item_id)
    except FeedRefused as refusal:
        return _feed_refused(ref, item_type, item_id, refusal)
    db().commit()
    return _after_feed_action(ref, item_type, item_id, "Kudos sent." if new else "You already gave kudos here.")


@bp.post("/feed/<item_type>/<int:item_id>/feedback")
def feedback(item_type: str, item_id: int):
    """Give constructive feedback on a teammate's completion or shared reflection."""
    ref = _item_or_404(item_type, item_id)
    try:
        result = give_feedback(db(), current_user, item_type, item_id, request.form.get("body", ""),
                               request.form.get("idempotency_key", ""))
    except FeedRefused as refusal:
        return _feed_refused(ref, item_type, item_id, refusal)
    db().commit()
    message = "Feedback sent."
    if result.mission is not None and not result.mission.repeated:
        message += f" It completed your feedback mission: +{result.mission.points} points."
    return _after_feed_action(ref, item_type, item_id, message)


@bp.get("/points")
@reads_only
def points():
    """My page: badges earned and locked, levels reached, points history with reasons, my reflections."""
    session = db()
    return render("play/points.html", history=points_history(session, current_user),
                  total=user_points(session, current_user.id), person=person_page(session, current_user),
                  progress=progress_of(session, current_user, None, badge_limit=0), shown=current_user, own=True)


@bp.get("/people/<int:user_id>")
@reads_only
def person(user_id: int):
    """Someone's page, as far as I may see it (people.sight_of): 404 for a person I do not meet in the product."""
    session = db()
    try:
        shown, sight = sight_of(session, current_user, user_id)
    except NotFound:
        abort(404)
    if sight.own:
        return redirect(url_for("play.points"))
    history = points_history(session, shown, challenge_ids=sight.challenge_ids,
                             correction_details=current_user.role == Role.ADMIN)
    return render("play/points.html", history=history, total=user_points(session, shown.id),
                  person=person_page(session, shown, sight), shown=shown, own=False,
                  progress=progress_of(session, shown, None, badge_limit=0))


@bp.app_context_processor
def _play_helpers():
    return {"new_form_key": new_form_key}


from . import approval_routes  # noqa: E402,F401  (registers the approval pages on this blueprint)
