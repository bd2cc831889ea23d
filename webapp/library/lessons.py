"""What the library shows of a published summary, and who may read the reflections behind its lessons.

The rule on sources: a published lesson is for everyone signed in, but the reflections it cites were shared
with the team only. So their text (with author and date) is shown to members of that team and to admins
(who review every team anyway); everyone else sees the lesson and how many team reflections it rests on.
A private reflection is never shown to anyone through a citation (queries.cited_reflections keeps only
team-shared ones).

The rule on names: the same readers (the team and admins) see lessons as written. Everyone else reads them
with each person named replaced by "a colleague", unless that person agreed to be named in the library
(User.show_name_in_library).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlmodel import Session, col, select

from ..models import (
    Challenge, Lesson, LessonSummary, Membership, Notification, Role, SummaryStatus, Team, User, utcnow,
)
from ..names import NameMatcher, Person, hide_names
from ..summaries.queries import CitedReflection, cited_reflections
from ..summaries.sections import SECTION_TITLES, SECTIONS


class NotPublished(LookupError):
    """No published summary with that id (drafts are never shown in the library)."""


@dataclass
class PublishedLesson:
    lesson: Lesson
    sources: list[CitedReflection]
    text: str  # the lesson as this reader may read it (names hidden outside the team)


@dataclass
class PublishedSummary:
    summary: LessonSummary
    team: Team
    challenge: Challenge
    sections: list[tuple[str, list[PublishedLesson]]]  # (title, lessons) in the usual order
    sources_shown: bool


def may_read_sources(session: Session, user: User, team_id: int) -> bool:
    """True for members of the team (leads included) and for admins."""
    if user.role == Role.ADMIN:
        return True
    return session.exec(select(Membership.id).where(Membership.user_id == user.id,
                                                    Membership.team_id == team_id)).first() is not None


def published_summary(session: Session, user: User, summary_id: int) -> PublishedSummary:
    """A published summary's lessons, with their sources if `user` may read them. Raises NotPublished."""
    summary = session.get(LessonSummary, summary_id)
    if summary is None or summary.status != SummaryStatus.PUBLISHED:
        raise NotPublished(summary_id)
    lessons = session.exec(select(Lesson).where(Lesson.summary_id == summary.id).order_by(col(Lesson.id))).all()
    shown = may_read_sources(session, user, summary.team_id)
    found = cited_reflections(session, summary.team_id, summary.challenge_id,
                              {ref for lesson in lessons for ref in lesson.citations}) if shown else {}
    readable = (lambda text: text) if shown else names_hidden(session)
    sections = []
    for key in SECTIONS:
        items = [PublishedLesson(lesson, [found[ref] for ref in lesson.citations if ref in found], readable(lesson.text))
                 for lesson in lessons if lesson.section == key]
        if items:
            sections.append((SECTION_TITLES[key], items))
    return PublishedSummary(summary, session.get(Team, summary.team_id), session.get(Challenge, summary.challenge_id),
                            sections, shown)


def names_hidden(session: Session):
    """A function giving a lesson's text for readers outside its team: people who did not agree are unnamed."""
    people = tuple(Person(user_id, name) for user_id, name in
                   session.exec(select(User.id, User.display_name).order_by(col(User.id))).all())
    agreed = set(session.exec(select(User.id).where(col(User.show_name_in_library).is_(True))).all())
    matcher = _matcher(people)
    return lambda text: hide_names(matcher, text, agreed)


@lru_cache(maxsize=4)
def _matcher(people: tuple[Person, ...]) -> NameMatcher:
    # Built once per set of people: a large organisation makes a long pattern.
    return NameMatcher(people)


def lesson_texts(session: Session, user: User, lessons: list[Lesson]) -> dict[int, str]:
    """Lesson id -> its text as `user` may read it: as written for its team and admins, else names hidden."""
    own_teams = set(session.exec(select(Membership.team_id).where(Membership.user_id == user.id)).all())
    outside = [lesson for lesson in lessons if user.role != Role.ADMIN and lesson.team_id not in own_teams]
    hide = names_hidden(session) if outside else None
    return {lesson.id: hide(lesson.text) if lesson in outside else lesson.text for lesson in lessons}


def set_name_in_library(session: Session, user: User, shown: bool) -> None:
    """Record whether `user` agrees to be named in lessons that the whole organisation reads."""
    user.show_name_in_library = shown
    session.add(user)


def mark_read(session: Session, user: User, summary_id: int) -> None:
    """Opening a published summary reads the notification that announced it."""
    for notification in session.exec(select(Notification).where(
            Notification.user_id == user.id, Notification.source == f"summary-published:{summary_id}",
            col(Notification.read_at).is_(None))).all():
        notification.read_at = utcnow()
        session.add(notification)


def unread_lesson_notifications(session: Session, user: User, limit: int = 5) -> list[Notification]:
    return list(session.exec(select(Notification).where(
        Notification.user_id == user.id, col(Notification.source).startswith("summary-published:"),
        col(Notification.read_at).is_(None)).order_by(col(Notification.id).desc()).limit(limit)).all())


def filter_choices(session: Session) -> tuple[list[Team], list[Challenge]]:
    """The teams and challenges that have published lessons, for the library's filters."""
    teams = session.exec(select(Team).where(col(Team.id).in_(select(Lesson.team_id).distinct()))
                         .order_by(Team.name)).all()
    challenges = session.exec(select(Challenge).where(col(Challenge.id).in_(select(Lesson.challenge_id).distinct()))
                              .order_by(Challenge.title)).all()
    return list(teams), list(challenges)
