"""The JSON API's routes under /api/v1: parse, call the rule the page calls, answer with a schema."""
from __future__ import annotations

import hashlib

from flask import abort, current_app
from flask_openapi3 import APIBlueprint, Tag

from ..library.lessons import lesson_texts
from ..library.search import LessonFilters, search_lessons
from ..models import Role, TokenScope
from ..play.access import visible_challenge
from ..problems import NotFound
from ..play.leaderboards import BoardCache, boards_for
from ..play.ledger import user_points
from ..play.levels import level_for
from ..play.missions import CompletionRefused, complete_mission
from ..play.progress import earned_badges
from ..play.routes import completion_message
from ..play.skill_xp import skill_growth
from ..web import db
from . import queries
from .auth import api_token, api_user, requires
from .problems import InvalidParam, problem
from .schemas import (
    BadgeList, BadgeOut, ChallengeList, ChallengeOut, ChallengePath, CompletionHeader, CompletionIn, CompletionOut,
    CompletionPage, CompletionRow, LeaderboardOut, LessonList, LessonOut, LessonQuery, LevelOut, Me, MemberList,
    MemberOut, MissionList, MissionOut, MissionPath, PageQuery, PersonPath, PersonStandingOut, PointEventPage,
    PointEventRow, PointsOut, SkillList, SkillOut, SkillQuery, TeamList, TeamOut, TeamPath, TeamStandingOut,
)

SECURITY = [{"bearerAuth": []}]
bp = APIBlueprint("api", __name__, url_prefix="/api/v1", abp_security=SECURITY)
PLAY, PEOPLE, LIBRARY, EXPORTS = (Tag(name="play"), Tag(name="people"), Tag(name="library"), Tag(name="exports"))


def _json(model, status: int = 200):
    return current_app.response_class(model.model_dump_json(by_alias=True), status=status,
                                      mimetype="application/json")


def _challenge_or_404(challenge_id: int):
    try:
        return visible_challenge(db(), api_user(), challenge_id)
    except NotFound:
        abort(problem(404, "No challenge with this id that you may see."))


@bp.get("/me", tags=[PEOPLE], responses={200: Me})
@requires(TokenScope.READ)
def me():
    """Who this token acts as, and what it may do."""
    user, token = api_user(), api_token()
    return _json(Me(user_id=user.id, display_name=user.display_name, role=user.role, token_scope=token.scope,
                    token_expires_at=token.expires_at))


@bp.get("/challenges", tags=[PLAY], responses={200: ChallengeList})
@requires(TokenScope.READ)
def challenges():
    """Challenges you may open (admins: all but drafts and archived ones)."""
    rows = queries.visible_challenges(db(), api_user())
    return _json(ChallengeList(challenges=[ChallengeOut.model_validate(row) for row in rows]))


@bp.get("/challenges/<int:challenge_id>", tags=[PLAY], responses={200: ChallengeOut})
@requires(TokenScope.READ)
def challenge(path: ChallengePath):
    """One challenge."""
    return _json(ChallengeOut.model_validate(_challenge_or_404(path.challenge_id)))


@bp.get("/challenges/<int:challenge_id>/missions", tags=[PLAY], responses={200: MissionList})
@requires(TokenScope.READ)
def missions(path: ChallengePath):
    """The challenge's missions, as its page lists them."""
    found = _challenge_or_404(path.challenge_id)
    rows = queries.live_missions(db(), found.id)
    return _json(MissionList(missions=[MissionOut.model_validate({**row.model_dump(), "retired": False})
                                       for row in rows]))


@bp.get("/challenges/<int:challenge_id>/leaderboard", tags=[PLAY], responses={200: LeaderboardOut})
@requires(TokenScope.READ)
def leaderboard(path: ChallengePath):
    """Team and individual boards, as the leaderboard page shows them to you (mode and names included)."""
    found = _challenge_or_404(path.challenge_id)
    cache = current_app.extensions.setdefault("learnloop_board_cache", BoardCache())
    teams, people = boards_for(db(), found, api_user(), cache)
    return _json(LeaderboardOut(
        challenge_id=found.id, mode=found.leaderboard_mode,
        teams=[TeamStandingOut(rank=row.rank, team_id=row.team_id, name=row.name, points=row.points,
                               active_members=row.active_members, score=row.score) for row in teams],
        people=[PersonStandingOut(rank=row.rank, name=row.name, team=row.team, points=row.points, is_me=row.is_me)
                for row in people]))


@bp.get("/teams", tags=[PEOPLE], responses={200: TeamList})
@requires(TokenScope.READ)
def teams():
    """Your teams (admins: every team)."""
    return _json(TeamList(teams=[TeamOut.model_validate(row) for row in queries.visible_teams(db(), api_user())]))


@bp.get("/teams/<int:team_id>/members", tags=[PEOPLE], responses={200: MemberList})
@requires(TokenScope.READ)
def team_members(path: TeamPath):
    """A team's members and leads, for its members and admins."""
    try:
        team, rows = queries.team_members(db(), api_user(), path.team_id)
    except NotFound:
        abort(problem(404, "No team with this id that you belong to."))
    return _json(MemberList(team=TeamOut.model_validate(team),
                            members=[MemberOut(user_id=member.id, display_name=member.display_name, is_lead=lead)
                                     for member, lead in rows]))


def _person(user_id: int):
    try:
        return queries.person_for(db(), api_user(), user_id)
    except NotFound:
        abort(problem(404, "No person with this id whose records you may read."))


@bp.get("/people/<int:user_id>/points", tags=[PEOPLE], responses={200: PointsOut})
@requires(TokenScope.READ)
def person_points(path: PersonPath):
    """A person's points and level (your own; admins: anyone's)."""
    person = _person(path.user_id)
    total = user_points(db(), person.id)
    level = level_for(total)
    return _json(PointsOut(user_id=person.id, points=total, level=LevelOut(number=level.number, name=level.name),
                           by_challenge=queries.points_by_challenge(db(), person.id)))


@bp.get("/people/<int:user_id>/badges", tags=[PEOPLE], responses={200: BadgeList})
@requires(TokenScope.READ)
def person_badges(path: PersonPath):
    """Badges a person earned, their own and their team's (your own; admins: anyone's)."""
    person = _person(path.user_id)
    rows = earned_badges(db(), person)
    return _json(BadgeList(user_id=person.id, badges=[
        BadgeOut(badge_id=badge.id, challenge_id=award.challenge_id, name=badge.name, description=badge.description,
                 team_badge=award.team_id is not None, awarded_at=award.awarded_at) for badge, award in rows]))


@bp.get("/people/<int:user_id>/skills", tags=[PEOPLE], responses={200: SkillList})
@requires(TokenScope.READ)
def person_skills(path: PersonPath, query: SkillQuery):
    """A person's level in each skill of a challenge, beside their own ratings (your own; admins: anyone's)."""
    person = _person(path.user_id)
    found = _challenge_or_404(query.challenge_id)
    rows = skill_growth(db(), person.id, found.id)
    return _json(SkillList(user_id=person.id, challenge_id=found.id, skills=[
        SkillOut(skill_id=row.skill.id, name=row.skill.name, xp=row.level.xp, level=row.level.number,
                 level_name=row.level.name, next_level_at=row.level.next_at, self_rating_before=row.before,
                 self_rating_after=row.after) for row in rows]))


@bp.get("/lessons", tags=[LIBRARY], responses={200: LessonList})
@requires(TokenScope.READ)
def lessons(query: LessonQuery):
    """Published lessons: the newest, or those matching `q`, filtered by team, challenge and mission kind."""
    session = db()
    results = search_lessons(session, LessonFilters(query.q, query.team_id, query.challenge_id, query.kind),
                             query.page)
    texts = lesson_texts(session, api_user(), [hit.lesson for hit in results.hits])
    return _json(LessonList(page=results.page, has_more=results.has_more, lessons=[
        LessonOut(id=hit.lesson.id, summary_id=hit.lesson.summary_id, team_id=hit.team.id, team=hit.team.name,
                  challenge_id=hit.challenge.id, challenge=hit.challenge.title, section=hit.lesson.section,
                  text=texts[hit.lesson.id], mission_kinds=[str(kind) for kind in hit.lesson.mission_kinds],
                  published_at=hit.lesson.published_at) for hit in results.hits]))


@bp.post("/missions/<int:mission_id>/completions", tags=[PLAY],
         responses={200: CompletionOut, 201: CompletionOut})
@requires(TokenScope.WRITE)
def complete(path: MissionPath, header: CompletionHeader, body: CompletionIn):
    """Complete a mission with evidence: the page's own rule, so limits, cooldowns, the daily cap, approval and
    idempotency are the same. 201 when recorded (status `pending` while it waits for a lead), 200 when the
    Idempotency-Key was sent before (the first answer again), 409 with the page's reason when a rule refuses it."""
    session, user = db(), api_user()
    # The page's form keys and other people's keys never meet this one: it is scoped to the person.
    key = "api-" + hashlib.sha256(f"{user.id}:{header.idempotency_key}".encode()).hexdigest()[:56]
    try:
        result = complete_mission(session, user, path.mission_id, body.evidence_text, body.evidence_url or "", key)
    except NotFound:
        session.rollback()
        abort(problem(404, "No mission with this id that you may play."))
    except CompletionRefused as refusal:
        session.rollback()
        field = {"evidence_text": "body.evidence_text", "evidence_url": "body.evidence_url"}.get(refusal.field or "")
        # 409, not 422: the request is well formed; the mission's rules refuse it as things stand.
        abort(problem(409, refusal.message, [InvalidParam(name=field, reason=refusal.message)] if field else None))
    session.commit()
    completion = result.completion
    return _json(CompletionOut(
        id=completion.id, mission_id=completion.mission_id, challenge_id=completion.challenge_id,
        status=completion.status, points=result.points, total_points=result.total_points,
        level=LevelOut(number=result.level.number, name=result.level.name), level_up=result.level_up,
        badges=[awarded.badge.name for awarded in result.badges], repeated=result.repeated,
        message=completion_message(result)), status=200 if result.repeated else 201)


def _cursor(text: str | None) -> int:
    return int(text) if text else 0


@bp.get("/exports/completions", tags=[EXPORTS], responses={200: CompletionPage})
@requires(TokenScope.ADMIN, role=Role.ADMIN)
def export_completions(query: PageQuery):
    """Every completion, oldest first, a page at a time (admins, with an admin token)."""
    rows, after = queries.completions_after(db(), _cursor(query.cursor), query.limit)
    return _json(CompletionPage(items=[CompletionRow.model_validate(row) for row in rows],
                                next_cursor=None if after is None else str(after)))


@bp.get("/exports/point-events", tags=[EXPORTS], responses={200: PointEventPage})
@requires(TokenScope.ADMIN, role=Role.ADMIN)
def export_point_events(query: PageQuery):
    """The points ledger, oldest first, a page at a time (admins, with an admin token)."""
    rows, after = queries.point_events_after(db(), _cursor(query.cursor), query.limit)
    return _json(PointEventPage(items=[PointEventRow.model_validate(row) for row in rows],
                                next_cursor=None if after is None else str(after)))
