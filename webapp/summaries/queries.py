"""What the pages show of summaries: a lead's team lessons (each team's latest summary), the review queue, a version
beside the reflections it cites, and two versions compared."""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, select

from ..models import (
    Challenge, ChallengeStatus, ChallengeTeam, LessonSummary, LessonSummaryVersion, Reflection, Role, SummaryStatus,
    Team, User, Visibility,
)
from ..reflection.queries import led_team_ids
from .sections import SECTION_TITLES, SECTIONS

QUEUE_PAGE = 50


@dataclass
class QueueRow:
    summary: LessonSummary
    team: Team
    challenge: Challenge


@dataclass
class Queue:
    rows: list[QueueRow]
    page: int
    has_more: bool
    counts: dict[str, int]


def review_queue(session: Session, user: User, status: str | None = None, page: int = 1) -> Queue:
    """The summaries `user` reviews (their led teams; every team for an admin), newest first."""
    query = (select(LessonSummary, Team, Challenge)
             .join(Team, Team.id == LessonSummary.team_id)
             .join(Challenge, Challenge.id == LessonSummary.challenge_id))
    counting = select(LessonSummary.status, func.count()).group_by(LessonSummary.status)
    if user.role != Role.ADMIN:
        teams = sorted(led_team_ids(session, user.id)) or [-1]
        query = query.where(col(LessonSummary.team_id).in_(teams))
        counting = counting.where(col(LessonSummary.team_id).in_(teams))
    if status:
        query = query.where(LessonSummary.status == SummaryStatus(status))
    rows = session.exec(query.order_by(col(LessonSummary.created_at).desc(), col(LessonSummary.id).desc())
                        .offset((page - 1) * QUEUE_PAGE).limit(QUEUE_PAGE + 1)).all()
    counts = {str(getattr(state, "value", state)): number for state, number in session.exec(counting).all()}
    return Queue([QueueRow(*row) for row in rows[:QUEUE_PAGE]], page, len(rows) > QUEUE_PAGE, counts)


@dataclass
class CitedReflection:
    id: int
    author: str
    body: str
    created_at: object


@dataclass
class LessonView:
    index: int
    text: str
    citations: list[int]
    cited: list[CitedReflection]
    missing: list[int]  # cited ids that are not shared reflections of this team (never shown)


@dataclass
class SectionView:
    key: str
    title: str
    lessons: list[LessonView] = field(default_factory=list)


def cited_reflections(session: Session, team_id: int, challenge_id: int, ids: set[int]) -> dict[int, CitedReflection]:
    """The cited reflections a reviewer may read: only the team's own, only those shared with the team."""
    if not ids:
        return {}
    rows = session.exec(
        select(Reflection, User.display_name).join(User, User.id == Reflection.user_id)
        .where(col(Reflection.id).in_(sorted(ids)), Reflection.team_id == team_id,
               Reflection.challenge_id == challenge_id, Reflection.visibility == Visibility.TEAM)
    ).all()
    return {reflection.id: CitedReflection(reflection.id, name, reflection.body, reflection.created_at)
            for reflection, name in rows}


def version_sections(session: Session, summary: LessonSummary, version: LessonSummaryVersion | None,
                     with_sources: bool = True) -> list[SectionView]:
    """Each section's lessons, each beside the reflections it cites (text, author's name, date)."""
    content = version.content if version else {}
    ids = {ref for section in SECTIONS for item in content.get(section, []) for ref in item["citations"]}
    found = cited_reflections(session, summary.team_id, summary.challenge_id, ids) if with_sources else {}
    views = []
    for key in SECTIONS:
        view = SectionView(key, SECTION_TITLES[key])
        for index, item in enumerate(content.get(key, [])):
            refs = list(item["citations"])
            view.lessons.append(LessonView(index, item["text"], refs, [found[ref] for ref in refs if ref in found],
                                           [ref for ref in refs if ref not in found]))
        views.append(view)
    return views


def versions_of(session: Session, summary: LessonSummary) -> list[tuple[LessonSummaryVersion, str | None]]:
    """Every version, newest first, with the name of the person who edited it (None: written by the writer)."""
    rows = session.exec(
        select(LessonSummaryVersion, User.display_name)
        .outerjoin(User, User.id == LessonSummaryVersion.edited_by_id)
        .where(LessonSummaryVersion.summary_id == summary.id)
        .order_by(col(LessonSummaryVersion.number).desc())
    ).all()
    return [(version, name) for version, name in rows]


def version_number(session: Session, summary: LessonSummary, number: int) -> LessonSummaryVersion | None:
    return session.exec(select(LessonSummaryVersion).where(
        LessonSummaryVersion.summary_id == summary.id, LessonSummaryVersion.number == number)).first()


# --- comparing two versions -------------------------------------------------------------------------------

@dataclass
class DiffRow:
    kind: str  # same, changed, removed, added
    old: str | None
    new: str | None
    words: list[tuple[str, str]] = field(default_factory=list)  # (equal|delete|insert, text) for a change


@dataclass
class SectionDiff:
    key: str
    title: str
    rows: list[DiffRow]

    @property
    def changed(self) -> bool:
        return any(row.kind != "same" for row in self.rows)


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The words of `old` and `new` marked equal, delete or insert, in reading order."""
    before, after = old.split(), new.split()
    parts: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if tag == "equal":
            parts.append(("equal", " ".join(before[i1:i2])))
            continue
        if i2 > i1:
            parts.append(("delete", " ".join(before[i1:i2])))
        if j2 > j1:
            parts.append(("insert", " ".join(after[j1:j2])))
    # Words are compared without their spacing; each part but the last gets one space back.
    return [(kind, text + " ") for kind, text in parts[:-1]] + parts[-1:]


def compare_versions(old: LessonSummaryVersion, new: LessonSummaryVersion) -> list[SectionDiff]:
    """Per section, the lessons of `old` against those of `new`: kept, changed (with a word diff), removed, added."""
    diffs = []
    for key in SECTIONS:
        before = [item["text"] for item in old.content.get(key, [])]
        after = [item["text"] for item in new.content.get(key, [])]
        rows: list[DiffRow] = []
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
            if tag == "equal":
                rows.extend(DiffRow("same", text, text) for text in before[i1:i2])
            elif tag == "replace":
                paired = min(i2 - i1, j2 - j1)
                for offset in range(paired):
                    a, b = before[i1 + offset], after[j1 + offset]
                    rows.append(DiffRow("changed", a, b, word_diff(a, b)))
                rows.extend(DiffRow("removed", text, None) for text in before[i1 + paired:i2])
                rows.extend(DiffRow("added", None, text) for text in after[j1 + paired:j2])
            elif tag == "delete":
                rows.extend(DiffRow("removed", text, None) for text in before[i1:i2])
            else:
                rows.extend(DiffRow("added", None, text) for text in after[j1:j2])
        diffs.append(SectionDiff(key, SECTION_TITLES[key], rows))
    return diffs


@dataclass
class TeamSummaryView:
    team: Team
    challenge: Challenge
    summary: LessonSummary | None
    version: LessonSummaryVersion | None


def team_summaries_for_lead(session: Session, user_id: int) -> list[TeamSummaryView]:
    """For each team the user leads and each of its challenges under way or closed: the latest summary."""
    team_ids = led_team_ids(session, user_id)
    if not team_ids:
        return []
    rows = session.exec(
        select(Team, Challenge).join(ChallengeTeam, ChallengeTeam.team_id == Team.id)
        .join(Challenge, Challenge.id == ChallengeTeam.challenge_id)
        .where(col(Team.id).in_(team_ids),
               col(Challenge.status).in_([ChallengeStatus.RUNNING, ChallengeStatus.CLOSED, ChallengeStatus.PUBLISHED]))
        .order_by(Team.name, col(Challenge.starts_at).desc())
    ).all()
    return [summary_view(session, team, challenge) for team, challenge in rows]


def summary_view(session: Session, team: Team, challenge: Challenge) -> TeamSummaryView:
    summary = session.exec(
        select(LessonSummary).where(LessonSummary.team_id == team.id, LessonSummary.challenge_id == challenge.id)
        .order_by(col(LessonSummary.id).desc())).first()
    return TeamSummaryView(team, challenge, summary, latest_version(session, summary))


def latest_version(session: Session, summary: LessonSummary | None) -> LessonSummaryVersion | None:
    if summary is None or summary.current_version == 0:
        return None
    return session.exec(select(LessonSummaryVersion).where(
        LessonSummaryVersion.summary_id == summary.id,
        LessonSummaryVersion.number == summary.current_version)).first()
