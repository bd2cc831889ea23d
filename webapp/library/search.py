"""Searching the published lessons: PostgreSQL full-text search or SQLite FTS5, with the same filters.

PostgreSQL matches `to_tsvector('english', text)` (the expression of the GIN index ix_lesson_text_search made
in migration 0001) against `websearch_to_tsquery`, ranked by ts_rank. SQLite matches the FTS5 table lesson_fts
(kept in step with `lesson` by triggers), ranked by bm25. The query string only ever travels as a bound
parameter; for FTS5 it is first reduced to quoted words, so no text can be read as FTS5 syntax.
An empty query lists the most recent lessons.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import String, cast, func, literal_column, text
from sqlmodel import Session, col, select

from ..models import Challenge, Lesson, LessonSummary, MissionKind, SummaryStatus, Team

QUERY_MAX = 200
PAGE_SIZE = 20
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class LessonFilters:
    query: str = ""
    team_id: int | None = None
    challenge_id: int | None = None
    kind: MissionKind | None = None


@dataclass
class LessonHit:
    lesson: Lesson
    team: Team
    challenge: Challenge


@dataclass
class SearchPage:
    hits: list[LessonHit]
    page: int
    has_more: bool


def fts5_query(query: str) -> str:
    """The words of `query` as an FTS5 expression matching all of them ("a" "b"); '' when it has none."""
    return " ".join(f'"{word}"' for word in _WORD.findall(query.lower())[:20])


def search_lessons(session: Session, filters: LessonFilters, page: int = 1) -> SearchPage:
    """Published lessons matching `filters`: best match first, or newest first for an empty query."""
    query = (select(Lesson, Team, Challenge)
             .join(LessonSummary, LessonSummary.id == Lesson.summary_id)
             .join(Team, Team.id == Lesson.team_id)
             .join(Challenge, Challenge.id == Lesson.challenge_id)
             # Lessons exist only once published; the status check keeps it so whatever writes them later.
             .where(LessonSummary.status == SummaryStatus.PUBLISHED))
    if filters.team_id is not None:
        query = query.where(Lesson.team_id == filters.team_id)
    if filters.challenge_id is not None:
        query = query.where(Lesson.challenge_id == filters.challenge_id)
    if filters.kind is not None:
        # mission_kinds is a JSON list of enum values; both backends store it as text like ["learn", "share"].
        query = query.where(cast(Lesson.mission_kinds, String).like(f'%"{filters.kind.value}"%'))
    words = filters.query.strip()[:QUERY_MAX]
    newest = (col(Lesson.published_at).desc(), col(Lesson.id).desc())
    if not words:
        query = query.order_by(*newest)
    elif session.get_bind().dialect.name == "postgresql":
        document = func.to_tsvector(literal_column("'english'"), Lesson.text)
        tsquery = func.websearch_to_tsquery(literal_column("'english'"), words)
        query = query.where(document.op("@@")(tsquery)).order_by(func.ts_rank(document, tsquery).desc(), *newest)
    else:
        expression = fts5_query(words)
        if not expression:
            return SearchPage([], page, False)
        matches = (select(literal_column("rowid").label("id"), literal_column("bm25(lesson_fts)").label("score"))
                   .select_from(text("lesson_fts"))
                   .where(text("lesson_fts MATCH :expression").bindparams(expression=expression))
                   .subquery())
        query = query.join(matches, matches.c.id == Lesson.id).order_by(matches.c.score, *newest)
    rows = session.exec(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    return SearchPage([LessonHit(*row) for row in rows[:PAGE_SIZE]], page, len(rows) > PAGE_SIZE)
