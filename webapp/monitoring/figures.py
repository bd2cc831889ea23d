"""The programme's figures, aggregated in the database (GROUP BY, COUNT DISTINCT), never row by row.

Points, completions and reflections are read from the daily rollups (webapp/monitoring/rollups.py), which
each figure first brings up to date when little is waiting; a dashboard's date range is whole UTC days. Without
a date range they are read from the all-time rollups instead, which have no day in their key: a row per team,
per mission and team, per enrolment, per person and mission.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import BigInteger, Integer, String, and_, case, cast, func, literal, null, or_, text, union_all
from sqlmodel import Session, col, select

from ..models import (
    ActivityDayBits,
    ActivityTotal,
    Badge,
    BadgeAward,
    Challenge,
    Enrolment,
    Mission,
    MissionCompleter,
    MissionCompleterDayBits,
    MissionDay,
    MissionTotal,
    SelfAssessment,
    Skill,
    Team,
    TeamDay,
    TeamTotal,
)
from ..models.monitoring import DAYS_PER_BLOCK
from .rollups import freshen
from .scope import Scope

BEST_AND_WORST = 5
EPOCH = date(1970, 1, 1)  # day 0 of the day bitmaps
READY = "monitoring.rollups_ready"  # session.info key: the transaction in which _ready ran


def _within(scope: Scope, model, moment) -> list:
    """Conditions limiting `model` (with challenge_id and team_id) to the scope, `moment` to the range."""
    conditions = []
    if scope.challenge_id is not None:
        conditions.append(model.challenge_id == scope.challenge_id)
    if scope.team_ids is not None:
        conditions.append(col(model.team_id).in_(scope.team_ids))
    if scope.start is not None:
        conditions.append(moment >= scope.start)
    if scope.end is not None:
        conditions.append(moment < scope.end)
    return conditions


def _enrolled(scope: Scope) -> list:
    """Enrolments counted: in scope and made before the end of the range."""
    return _within(Scope(scope.challenge_id, scope.team_ids, None, scope.end), Enrolment, Enrolment.enrolled_at)


def _ready(session: Session) -> None:
    """Bring the rollups up to date, then read them without PostgreSQL's JIT; once per transaction, so the
    figures of one dashboard check the high-water marks once, not once each.

    The planner costs the figures' joins and key probes high: compiling them took longer than running them
    (0.8 s of 2.3 s across challenges at the scale seed).
    """
    if session.info.get(READY) is session.get_transaction() is not None:
        return
    freshen(session)
    if session.get_bind().dialect.name == "postgresql":
        session.exec(text("SET LOCAL jit = off"))
    session.info[READY] = session.get_transaction()


def _utc_date(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def _days(scope: Scope, day) -> list:
    """Conditions limiting a rollup's `day` column to the scope's range (whole UTC days, end exclusive)."""
    conditions = []
    if scope.start is not None:
        conditions.append(day >= _utc_date(scope.start))
    if scope.end is not None:
        conditions.append(day < _utc_date(scope.end))
    return conditions


def _all_time(scope: Scope) -> bool:
    """No date range: the all-time rollups answer, whatever the challenge and team filters."""
    return scope.start is None and scope.end is None


def _per_team(scope: Scope):
    """Team sums: the daily rollup for a date range, the all-time one (a row per team, not per team-day) without."""
    return TeamTotal if _all_time(scope) else TeamDay


def _per_mission(scope: Scope):
    """Mission sums per team: daily for a date range, all-time without."""
    return MissionTotal if _all_time(scope) else MissionDay


def _rolled(scope: Scope, model) -> list:
    """Conditions limiting a rollup (with challenge_id, team_id, and day unless all-time) to the scope."""
    conditions = [] if _all_time(scope) else _days(scope, model.day)
    if scope.challenge_id is not None:
        conditions.append(model.challenge_id == scope.challenge_id)
    if scope.team_ids is not None:
        conditions.append(col(model.team_id).in_(scope.team_ids))
    return conditions


def _day_numbers(scope: Scope) -> tuple[int | None, int | None]:
    """The range's first and last UTC day (both included) as days from 1970-01-01; None where it is open."""
    first = (_utc_date(scope.start) - EPOCH).days if scope.start is not None else None
    last = (_utc_date(scope.end) - EPOCH).days - 1 if scope.end is not None else None
    return first, last


def _blocks(scope: Scope, block) -> list:
    """Conditions keeping the day bitmap rows (`block`) that hold days of the range."""
    first, last = _day_numbers(scope)
    return [*([block >= first // DAYS_PER_BLOCK] if first is not None else []),
            *([block <= last // DAYS_PER_BLOCK] if last is not None else [])]


def _mask(low: int, high: int) -> int:
    """Bits low..high (both included) set."""
    return ((1 << (high + 1)) - 1) ^ ((1 << low) - 1)


def _some_day(scope: Scope, days, block):
    """The day bitmap `days` of `block` has a day in the range: at most three bit tests, however long the range."""
    first, last = _day_numbers(scope)
    low = None if first is None else divmod(first, DAYS_PER_BLOCK)
    high = None if last is None else divmod(last, DAYS_PER_BLOCK)

    def any_of(block_number: int, mask: int):
        return and_(block == block_number, days.op("&")(literal(mask, BigInteger)) != 0)

    top = DAYS_PER_BLOCK - 1
    if low is not None and high is not None and low[0] == high[0]:
        return any_of(low[0], _mask(low[1], high[1]))
    parts, between = [], [days != 0]
    if low is not None:
        parts.append(any_of(low[0], _mask(low[1], top)))
        between.append(block > low[0])
    if high is not None:
        parts.append(any_of(high[0], _mask(0, high[1])))
        between.append(block < high[0])
    return or_(*parts, and_(*between))


def _flags(scope: Scope):
    """Each enrolment in scope: its team, the person, and whether they were active (points or a completion),
    completed a mission, reflected, in that challenge and the range."""
    if _all_time(scope):
        # One row of the all-time rollup per enrolment: a hash join across challenges, a key lookup per
        # enrolment when a team filter leaves few.
        def did(column):
            return func.coalesce(column, 0) > 0

        return (select(Enrolment.team_id, Enrolment.user_id,
                       did(ActivityTotal.point_events + ActivityTotal.completions).label("active"),
                       did(ActivityTotal.completions).label("completed"),
                       did(ActivityTotal.reflections).label("reflected"))
                .outerjoin(ActivityTotal, and_(ActivityTotal.challenge_id == Enrolment.challenge_id,
                                               ActivityTotal.user_id == Enrolment.user_id))
                .where(*_enrolled(scope)).cte("flags"))
    # A date range: bit tests on each enrolment's day bitmaps (one or two rows per enrolment; an enrolment
    # with two rows appears twice, which the distinct counts absorb).
    bits = ActivityDayBits
    return (select(Enrolment.team_id, Enrolment.user_id, _some_day(scope, bits.active, bits.block).label("active"),
                   _some_day(scope, bits.completed, bits.block).label("completed"),
                   _some_day(scope, bits.reflected, bits.block).label("reflected"))
            .outerjoin(bits, and_(bits.challenge_id == Enrolment.challenge_id, bits.user_id == Enrolment.user_id,
                                  *_blocks(scope, bits.block)))
            .where(*_enrolled(scope)).cte("flags"))


@dataclass
class People:
    """Distinct people (enrolled, active, completed, reflected) in all of the scope and per team (id, name)."""

    overall: tuple[int, int, int, int]
    teams: dict[tuple[int, str], tuple[int, int, int, int]]


def people(session: Session, scope: Scope) -> People:
    """The funnel's people and the team comparison's, from one pass over the enrolments in scope.

    Across challenges a person enrolled twice counts once, in the funnel as in their team.
    """
    _ready(session)
    flags = _flags(scope)

    def counts():
        def people_who(flag):
            return func.count(func.distinct(case((flag, flags.c.user_id))))

        return [func.count(func.distinct(flags.c.user_id)), people_who(flags.c.active),
                people_who(flags.c.completed), people_who(flags.c.reflected)]

    overall = select(cast(null(), Integer).label("team_id"), cast(null(), String).label("name"), *counts())
    per_team = (select(flags.c.team_id, Team.name, *counts()).join(Team, Team.id == flags.c.team_id)
                .group_by(flags.c.team_id, Team.name))
    result = People((0, 0, 0, 0), {})
    for team_id, name, *figures in session.execute(union_all(overall, per_team)).all():
        if team_id is None:
            result.overall = tuple(figures)
        else:
            result.teams[(team_id, name)] = tuple(figures)
    return result


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class Funnel:
    enrolled: int
    active: int
    completed: int
    reflected: int
    reflections: int

    @property
    def reflection_rate(self) -> float | None:
        """Share of the enrolled who wrote at least one reflection."""
        return _rate(self.reflected, self.enrolled)

    def steps(self) -> list[tuple[str, int]]:
        return [("Enrolled", self.enrolled), ("Active (points or a completion)", self.active),
                ("Completed at least one mission", self.completed), ("Wrote at least one reflection", self.reflected)]


def funnel(session: Session, scope: Scope, counted: People | None = None) -> Funnel:
    """`counted`: people(session, scope) if already read (the dashboard reads it once for two figures)."""
    enrolled, active, completed, reflected = (counted or people(session, scope)).overall
    team = _per_team(scope)
    reflections = session.exec(select(func.coalesce(func.sum(team.reflections), 0))
                               .where(*_rolled(scope, team))).one()
    return Funnel(enrolled, active, completed, reflected, int(reflections))


def completions_per_day(session: Session, scope: Scope) -> list[tuple[str, int]]:
    """(day as YYYY-MM-DD, completions) for each UTC day with at least one completion."""
    _ready(session)
    total = func.sum(TeamDay.completions)
    rows = session.exec(select(TeamDay.day, total).where(*_rolled(scope, TeamDay))
                        .group_by(TeamDay.day).having(total > 0).order_by(TeamDay.day)).all()
    return [(value.isoformat() if isinstance(value, date) else str(value), int(count)) for value, count in rows]


def _completions_per_mission(scope: Scope):
    mission = _per_mission(scope)
    return (select(mission.mission_id, func.sum(mission.completions).label("completions"))
            .where(*_rolled(scope, mission)).group_by(mission.mission_id)
            .having(func.sum(mission.completions) > 0))


def completions_by_kind(session: Session, scope: Scope) -> list[tuple[str, int]]:
    """(mission kind, completions) for each kind with completions."""
    _ready(session)
    per_mission = _completions_per_mission(scope).subquery()
    total = func.sum(per_mission.c.completions)
    rows = session.exec(select(Mission.kind, total).join(per_mission, per_mission.c.mission_id == Mission.id)
                        .group_by(Mission.kind).order_by(total.desc(), Mission.kind)).all()
    return [(str(getattr(kind, "value", kind)), int(count)) for kind, count in rows]


@dataclass
class TeamFigures:
    team_id: int
    name: str
    enrolled: int = 0
    active: int = 0
    points: int = 0
    completions: int = 0
    reflected: int = 0
    reflections: int = 0

    @property
    def reflection_rate(self) -> float | None:
        return _rate(self.reflected, self.enrolled)


def team_comparison(session: Session, scope: Scope, counted: People | None = None) -> list[TeamFigures]:
    """One row per team with enrolments in scope, most points first. `counted`: as for funnel()."""
    counted = counted or people(session, scope)
    teams = {team_id: TeamFigures(team_id, name, enrolled, active, reflected=reflected)
             for (team_id, name), (enrolled, active, _, reflected) in counted.teams.items()}
    team = _per_team(scope)
    for team_id, points, completions, reflections in session.exec(
            select(team.team_id, func.sum(team.points), func.sum(team.completions),
                   func.sum(team.reflections)).where(*_rolled(scope, team)).group_by(team.team_id)):
        if team_id in teams:
            team = teams[team_id]
            team.points, team.completions, team.reflections = int(points), int(completions), int(reflections)
    return sorted(teams.values(), key=lambda team: (-team.points, team.name))


@dataclass
class MissionFigures:
    mission_id: int
    title: str
    challenge: str
    kind: str
    completers: int
    completions: int
    enrolled: int
    reflections: int

    @property
    def completion_rate(self) -> float | None:
        """Distinct people who completed it / people enrolled in its challenge."""
        return _rate(self.completers, self.enrolled)


def _completers(scope: Scope):
    """(mission id, people enrolled in scope who completed it, in the range)."""
    if _all_time(scope):
        # One all-time row per person and mission, matched to their enrolment (one each): count them.
        query = (select(Mission.id, func.count())
                 .join(MissionCompleter, MissionCompleter.mission_id == Mission.id)
                 .join(Enrolment, and_(Enrolment.challenge_id == Mission.challenge_id,
                                       Enrolment.user_id == MissionCompleter.user_id)))
    else:
        # Bit tests on each person's day bitmaps of the mission. A range within one block has one row per
        # person and mission, so rows count people (a distinct count would sort them, twice as slow).
        bits = MissionCompleterDayBits
        first, last = _day_numbers(scope)
        one_block = first is not None and last is not None and first // DAYS_PER_BLOCK == last // DAYS_PER_BLOCK
        query = (select(Mission.id, func.count() if one_block else func.count(func.distinct(bits.user_id)))
                 .join(bits, and_(bits.mission_id == Mission.id, *_blocks(scope, bits.block),
                                  _some_day(scope, bits.days, bits.block)))
                 .join(Enrolment, and_(Enrolment.challenge_id == Mission.challenge_id,
                                       Enrolment.user_id == bits.user_id)))
    return query.where(*_enrolled(scope)).group_by(Mission.id)


def missions(session: Session, scope: Scope) -> list[MissionFigures]:
    """Every mission in scope, best completion rate first (then most reflections)."""
    _ready(session)
    enrolled = dict(session.exec(select(Enrolment.challenge_id, func.count(func.distinct(Enrolment.user_id)))
                                 .where(*_enrolled(scope)).group_by(Enrolment.challenge_id)).all())
    # Completions of each mission, and the reflections it led to (those answering a prompt written after one
    # of its completions), in one pass.
    counts, reflected, mission = {}, {}, _per_mission(scope)
    for mission_id, count, reflections in session.exec(
            select(mission.mission_id, func.sum(mission.completions), func.sum(mission.reflections))
            .where(*_rolled(scope, mission)).group_by(mission.mission_id)):
        if count > 0:
            counts[mission_id] = int(count)
        reflected[mission_id] = int(reflections)
    completers = dict(session.exec(_completers(scope)).all())
    done = {mission_id: (completers.get(mission_id, 0), count) for mission_id, count in counts.items()}
    # Missions of the challenge, or (across challenges) of every challenge with someone enrolled in scope.
    in_scope = (Mission.challenge_id == scope.challenge_id if scope.challenge_id is not None
                else col(Mission.challenge_id).in_(list(enrolled)))
    rows = session.exec(select(Mission.id, Mission.title, Mission.kind, Mission.challenge_id, Challenge.title)
                        .join(Challenge, Challenge.id == Mission.challenge_id).where(in_scope)).all()
    figures = [MissionFigures(mission_id, title, challenge_title, str(getattr(kind, "value", kind)),
                              done.get(mission_id, (0, 0))[0], done.get(mission_id, (0, 0))[1],
                              enrolled.get(challenge_id, 0), reflected.get(mission_id, 0))
               for mission_id, title, kind, challenge_id, challenge_title in rows]
    return sorted(figures, key=lambda m: (-(m.completion_rate or 0), -m.reflections, m.title, m.mission_id))


@dataclass
class BadgeFigures:
    name: str
    challenge: str
    scope: str
    awards: int


def badges_earned(session: Session, scope: Scope) -> list[BadgeFigures]:
    """Awards per badge in the range; an individual award counts for the team the person plays with."""
    _ready(session)
    team_of_award = func.coalesce(BadgeAward.team_id, Enrolment.team_id)
    conditions = []
    if scope.challenge_id is not None:
        conditions.append(BadgeAward.challenge_id == scope.challenge_id)
    if scope.team_ids is not None:
        conditions.append(team_of_award.in_(scope.team_ids))
    if scope.start is not None:
        conditions.append(BadgeAward.awarded_at >= scope.start)
    if scope.end is not None:
        conditions.append(BadgeAward.awarded_at < scope.end)
    rows = session.exec(
        select(Badge.name, Challenge.title, Badge.scope, func.count(BadgeAward.id))
        .join(Badge, Badge.id == BadgeAward.badge_id).join(Challenge, Challenge.id == BadgeAward.challenge_id)
        .outerjoin(Enrolment, (Enrolment.challenge_id == BadgeAward.challenge_id)
                   & (Enrolment.user_id == BadgeAward.user_id))
        .where(*conditions).group_by(Badge.id, Badge.name, Challenge.title, Badge.scope)
        .order_by(func.count(BadgeAward.id).desc(), Badge.name)).all()
    return [BadgeFigures(name, challenge, str(getattr(kind, "value", kind)), count)
            for name, challenge, kind, count in rows]


@dataclass
class SkillFigures:
    skill: str
    challenge: str
    team: str | None  # None: every team in scope together
    before_average: float | None
    before_answers: int
    after_average: float | None
    after_answers: int

    @property
    def change(self) -> float | None:
        if self.before_average is None or self.after_average is None:
            return None
        return self.after_average - self.before_average


def self_assessments(session: Session, scope: Scope) -> list[SkillFigures]:
    """Average rating before and after per skill, overall then per team, with the number of answers.

    Not limited by the date range: "before" answers are given at joining, long before any range ends.
    """
    _ready(session)
    conditions = []
    if scope.challenge_id is not None:
        conditions.append(SelfAssessment.challenge_id == scope.challenge_id)
    if scope.team_ids is not None:
        conditions.append(col(SelfAssessment.team_id).in_(scope.team_ids))

    # One pass over the answers, summed per skill, team and phase; the overall figures add up the teams' sums,
    # and names are joined to the few groups, not to every answer.
    sums = (select(SelfAssessment.challenge_id, SelfAssessment.skill_id, SelfAssessment.team_id, SelfAssessment.phase,
                   func.sum(SelfAssessment.rating).label("total"), func.count().label("answers"))
            .where(*conditions).group_by(SelfAssessment.challenge_id, SelfAssessment.skill_id,
                                         SelfAssessment.team_id, SelfAssessment.phase).cte("sums"))
    skill = [Skill.id, Skill.name, Skill.position, Challenge.title]
    overall = (select(*skill, cast(null(), Integer), cast(null(), String), sums.c.phase, func.sum(sums.c.total),
                      func.sum(sums.c.answers))
               .join(Skill, Skill.id == sums.c.skill_id).join(Challenge, Challenge.id == sums.c.challenge_id)
               .group_by(*skill, sums.c.phase))
    per_team = (select(*skill, Team.id, Team.name, sums.c.phase, sums.c.total, sums.c.answers)
                .join(Skill, Skill.id == sums.c.skill_id).join(Challenge, Challenge.id == sums.c.challenge_id)
                .join(Team, Team.id == sums.c.team_id))

    figures: dict[tuple, SkillFigures] = {}
    for skill_id, name, position, challenge, team_id, team_name, phase, total, answers in session.execute(
            union_all(overall, per_team)).all():
        key = (challenge, position, skill_id, team_name is not None, team_name or "", team_id)
        entry = figures.setdefault(key, SkillFigures(name, challenge, team_name, None, 0, None, 0))
        average, answers = int(total) / int(answers), int(answers)
        if str(getattr(phase, "value", phase)) == "before":
            entry.before_average, entry.before_answers = average, answers
        else:
            entry.after_average, entry.after_answers = average, answers
    return [figures[key] for key in sorted(figures)]


@dataclass
class Dashboard:
    funnel: Funnel
    per_day: list[tuple[str, int]]
    by_kind: list[tuple[str, int, int]]
    teams: list[TeamFigures]
    missions: list[MissionFigures]
    badges: list[BadgeFigures]
    skills: list[SkillFigures]

    @property
    def best_missions(self) -> list[MissionFigures]:
        return self.missions[:BEST_AND_WORST]

    @property
    def worst_missions(self) -> list[MissionFigures]:
        rest = self.missions[BEST_AND_WORST:]
        return list(reversed(rest[-BEST_AND_WORST:]))


def dashboard(session: Session, scope: Scope) -> Dashboard:
    counted = people(session, scope)
    return Dashboard(funnel(session, scope, counted), completions_per_day(session, scope),
                     completions_by_kind(session, scope), team_comparison(session, scope, counted),
                     missions(session, scope), badges_earned(session, scope), self_assessments(session, scope))
