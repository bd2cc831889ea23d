"""Published lessons as Markdown files: one summary, or every published lesson of a challenge.

Exports carry the lessons, never the reflections they cite (a file travels further than a page); each
lesson says how many team reflections it rests on. A file is read outside the team, so people are named only
if they agreed to be named in the library, and every text is plain, escaped Markdown.
"""
from __future__ import annotations

import re

from sqlmodel import Session, col, select

from ..models import Challenge, Lesson, LessonSummary, SummaryStatus, Team
from ..summaries.sections import SECTION_TITLES, SECTIONS
from .lessons import names_hidden


# Characters that make Markdown more than text: HTML and autolinks (<), links and images ([ ] !), entities (&),
# emphasis and code (* _ `), tables and strike-through (| ~), and the backslash itself.
_MARKUP = re.compile(r"([\\`*_\[\]<>!&|~{}])")
# Invisible characters (zero-width, bidirectional overrides) and controls: they can disguise what a line says.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def _line(text: str) -> str:
    """Any text as plain Markdown on one line: every markup character escaped, so a renderer shows it as
    written (no HTML, no image, no link of any scheme), and a leading list or heading marker escaped too."""
    flat = " ".join(_INVISIBLE.sub("", text).split())
    flat = _MARKUP.sub(r"\\\1", flat)
    return re.sub(r"^([#>+\-=]|\d+[.)])", r"\\\1", flat)


def _sources(count: int) -> str:
    return f"({count} team reflection{'' if count == 1 else 's'})"


def _sections(lessons: list[Lesson], heading: str, readable) -> list[str]:
    lines = []
    for key in SECTIONS:
        items = [lesson for lesson in lessons if lesson.section == key]
        if items:
            lines += ["", f"{heading} {SECTION_TITLES[key]}", ""]
            lines += [f"- {_line(readable(lesson.text))} {_sources(len(lesson.citations))}" for lesson in items]
    return lines


def summary_markdown(session: Session, summary: LessonSummary) -> str:
    """One published summary: title, team, challenge, publication date, its lessons by section."""
    team, challenge = session.get(Team, summary.team_id), session.get(Challenge, summary.challenge_id)
    lessons = list(session.exec(select(Lesson).where(Lesson.summary_id == summary.id).order_by(col(Lesson.id))).all())
    lines = [f"# Lessons of {_line(team.name)}: {_line(challenge.title)}", "",
             f"Published {summary.published_at:%Y-%m-%d} · {len(lessons)} lessons · Learnloop lessons library"]
    return "\n".join(lines + _sections(lessons, "##", names_hidden(session))) + "\n"


def challenge_markdown(session: Session, challenge: Challenge) -> str:
    """Every published lesson of a challenge, team by team (teams by name, their summaries oldest first)."""
    rows = session.exec(
        select(Lesson, Team, LessonSummary)
        .join(Team, Team.id == Lesson.team_id).join(LessonSummary, LessonSummary.id == Lesson.summary_id)
        .where(Lesson.challenge_id == challenge.id, LessonSummary.status == SummaryStatus.PUBLISHED)
        .order_by(Team.name, col(LessonSummary.published_at), col(Lesson.id))
    ).all()
    lines = [f"# Lessons learned: {_line(challenge.title)}", "",
             f"{len(rows)} published lessons · Learnloop lessons library"]
    if not rows:
        lines += ["", "No lessons of this challenge have been published yet."]
    readable = names_hidden(session)
    by_summary: dict[int, tuple[Team, LessonSummary, list[Lesson]]] = {}
    for lesson, team, summary in rows:
        by_summary.setdefault(summary.id, (team, summary, []))[2].append(lesson)
    for team, summary, lessons in by_summary.values():
        lines += ["", f"## {_line(team.name)} (published {summary.published_at:%Y-%m-%d})"]
        lines += _sections(lessons, "###", readable)
    return "\n".join(lines) + "\n"


def filename(*parts: str) -> str:
    """A safe download name: lowercase words joined by dashes, ending in .md."""
    words = re.findall(r"[a-z0-9]+", " ".join(parts).lower())
    return ("-".join(words)[:80] or "lessons") + ".md"
