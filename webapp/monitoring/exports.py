"""CSV exports of the dashboard tables: the same figures, a header row, no spreadsheet formulas."""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable

from sqlmodel import Session

from . import figures
from .scope import Scope
from .skill_xp import pending_approvals, skill_xp_figures

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str | int | float:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading single quote."""
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# Numbers stay numbers (never quoted as text): a negative change must not read as a formula guard.
def _ratio(value: float | None) -> float | str:
    return "" if value is None else round(value, 4)


def _average(value: float | None) -> float | str:
    return "" if value is None else round(value, 2)


def _funnel(session: Session, scope: Scope):
    data = figures.funnel(session, scope)
    yield ["step", "people"]
    yield from ([label, count] for label, count in data.steps())
    yield ["Reflections written", data.reflections]
    yield ["Reflection rate (reflected / enrolled)", _ratio(data.reflection_rate)]
    yield ["Evidence waiting for a lead's approval (completions)", pending_approvals(session, scope)]


def _per_day(session: Session, scope: Scope):
    yield ["day (UTC)", "completions"]
    yield from ([day, count] for day, count in figures.completions_per_day(session, scope))


def _by_kind(session: Session, scope: Scope):
    yield ["mission kind", "completions"]
    yield from ([kind, count] for kind, count in figures.completions_by_kind(session, scope))


def _teams(session: Session, scope: Scope):
    yield ["team", "enrolled", "active", "points", "completions", "reflected", "reflections", "reflection rate"]
    for team in figures.team_comparison(session, scope):
        yield [team.name, team.enrolled, team.active, team.points, team.completions, team.reflected,
               team.reflections, _ratio(team.reflection_rate)]


def _missions(session: Session, scope: Scope):
    yield ["mission", "challenge", "kind", "people who completed it", "enrolled", "completion rate", "completions",
           "reflections it led to"]
    for mission in figures.missions(session, scope):
        yield [mission.title, mission.challenge, mission.kind, mission.completers, mission.enrolled,
               _ratio(mission.completion_rate), mission.completions, mission.reflections]


def _badges(session: Session, scope: Scope):
    yield ["badge", "challenge", "scope", "awards"]
    yield from ([b.name, b.challenge, b.scope, b.awards] for b in figures.badges_earned(session, scope))


def _skills(session: Session, scope: Scope):
    yield ["skill", "challenge", "team", "before average", "before answers", "after average", "after answers",
           "change"]
    for row in figures.self_assessments(session, scope):
        yield [row.skill, row.challenge, row.team or "All teams", _average(row.before_average), row.before_answers,
               _average(row.after_average), row.after_answers, _average(row.change)]


def _skill_xp(session: Session, scope: Scope):
    yield ["skill", "challenge", "team", "XP from missions", "people with XP", "missions that build it",
           "self-assessment change"]
    for row in skill_xp_figures(session, scope):
        yield [row.skill, row.challenge, row.team or "All teams", row.xp, row.people,
               "; ".join(row.missions) or "no mission builds it", _average(row.change)]


# Export name -> (title used in the file name and the page, rows with a header first)
TABLES: dict[str, tuple[str, Callable[[Session, Scope], Iterable[list]]]] = {
    "funnel": ("Participation funnel", _funnel),
    "completions-per-day": ("Completions per day", _per_day),
    "completions-by-kind": ("Completions by mission kind", _by_kind),
    "teams": ("Team comparison", _teams),
    "missions": ("Missions", _missions),
    "badges": ("Badges earned", _badges),
    "self-assessments": ("Skill self-assessments", _skills),
    "skill-xp": ("XP per skill", _skill_xp),
}


def export_csv(session: Session, scope: Scope, table: str) -> str:
    """The table as CSV text. Raises KeyError for an unknown table."""
    _, rows = TABLES[table]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows(session, scope):
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()
