"""Every change of a team's lesson summary's status, and only here: what the job does to it (a version written:
draft; failed) and what a lead (or an admin) does to it (edit, regenerate with guidance, approve, publish, reject,
retry a failed one). Each is one function; the caller commits.

Every transition names the revision the person saw. It is claimed with one conditional UPDATE
(`WHERE revision = seen AND status IN allowed`), so of two concurrent saves the second is refused
(StaleRevision) instead of overwriting the first, on SQLite and PostgreSQL alike. Versions are never
changed: an edit or a regeneration adds one.

Which status allows what (anything else raises NotAllowed):

    (written)   generating -> draft, with a new version (the job: record_draft)
    (failed)    generating -> failed, with the reason the person waiting reads (the job: mark_failed)
    retry       failed -> generating, by its latest job: a failed regeneration runs again with its guidance
    edit        draft, approved (back to draft: the change needs approving again)
    regenerate  draft, approved, rejected, failed (-> generating; the job writes the next version)
    approve     draft, and only the team's latest summary of the challenge
    publish     approved, and only the latest (writes the library's Lesson rows and tells the team, in the
                same transaction)
    reject      draft, approved (a reason is required)

A published summary is final: to change what the library says, ask for a new summary.
"""
from __future__ import annotations

from sqlalchemy import exists, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from ..jobs import SUMMARISE_TEAM, enqueue, retry
from ..models import (
    Completion, Lesson, LessonSummary, LessonSummaryVersion, Membership, Mission, OutboxJob, Reflection,
    ReflectionPrompt, SummaryStatus, User, Visibility, utcnow,
)
from ..outbound import events as outbound
from .access import NotYourTeam, summary_for_lead  # noqa: F401 - NotYourTeam: raised by every lead transition
from .requests import outbox_key
from .sections import SECTIONS

S = SummaryStatus
EDITABLE = (S.DRAFT, S.APPROVED)
REGENERABLE = (S.DRAFT, S.APPROVED, S.REJECTED, S.FAILED)
LESSON_MAX = 400  # the writers' own limit on one lesson (workers.writing.LessonItem)
LESSON_MIN = 3
GUIDANCE_MAX = 1000
REASON_MAX = 2000


class ReviewError(Exception):
    """A transition that was refused; `message` says why, in the lead's words."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(ReviewError):
    """The summary's status does not allow this transition."""


class StaleRevision(ReviewError):
    """Someone saved the summary after this person read it: nothing was changed."""

    def __init__(self, summary: LessonSummary):
        super().__init__(f"Someone else changed this summary while you were working on it (it is now at version "
                         f"{summary.current_version}, {summary.status.value}). Nothing of yours was saved.")
        self.summary = summary


class InvalidReview(ReviewError):
    """The form's input is not acceptable; `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def record_draft(session: Session, summary: LessonSummary, *, content: dict, guidance: str | None, writer: str,
                 template_version: str) -> LessonSummaryVersion:
    """The job wrote the summary: its next version, and the summary a draft for the lead to review."""
    summary.current_version += 1
    version = LessonSummaryVersion(summary_id=summary.id, number=summary.current_version, content=content,
                                   guidance=guidance, writer=writer, template_version=template_version)
    session.add(version)
    summary.status, summary.error, summary.updated_at = S.DRAFT, None, utcnow()
    summary.revision += 1
    session.add(summary)
    return version


def mark_failed(session: Session, summary: LessonSummary, reason: str) -> None:
    """The summary could not be written: the lead sees `reason` (plain words) and a retry button."""
    summary.status, summary.error, summary.updated_at = S.FAILED, reason, utcnow()
    session.add(summary)


def mark_summary_failed(session: Session, job: OutboxJob, reason: str) -> None:
    """Failure hook of the summary job (out of attempts or time): its summary, if still being written, failed."""
    summary = session.get(LessonSummary, job.payload["summary_id"])
    if summary is not None and summary.status == S.GENERATING:
        mark_failed(session, summary, reason)


def retry_summary(session: Session, user: User, summary_id: int) -> LessonSummary:
    """A lead writes a failed summary again (the caller commits). Raises NotYourTeam, or ValueError if not failed."""
    summary = summary_for_lead(session, user, summary_id)
    restart_summary(session, summary)
    return summary


def restart_summary(session: Session, summary: LessonSummary) -> OutboxJob | None:
    """Put a failed summary back to being written, by its latest job (the caller commits): a failed regeneration
    runs again with the lead's guidance, not the original. The lead's retry and the admin jobs page's both
    come here, so job and summary always agree. Raises ValueError if the summary has not failed."""
    if summary.status != S.FAILED:
        raise ValueError(f"Only a failed summary can be written again (this one is {summary.status.value}).")
    job = latest_summary_job(session, summary)
    if job is not None:
        retry(session, job)
    summary.status, summary.error, summary.updated_at = S.GENERATING, None, utcnow()
    session.add(summary)
    return job


def latest_summary_job(session: Session, summary: LessonSummary) -> OutboxJob | None:
    """The summary's newest job: its first writing, or its latest regeneration (whose key names the revision)."""
    base = outbox_key(summary)
    return session.exec(select(OutboxJob).where(
        or_(OutboxJob.key == base, col(OutboxJob.key).startswith(f"{base}:regenerate:", autoescape=True)))
        .order_by(col(OutboxJob.id).desc())).first()


def current_version(session: Session, summary: LessonSummary) -> LessonSummaryVersion | None:
    return session.exec(select(LessonSummaryVersion).where(
        LessonSummaryVersion.summary_id == summary.id,
        LessonSummaryVersion.number == summary.current_version)).first()


def _newer_summaries(summary_id: int, team_id: int, challenge_id: int):
    """The team's summaries of the challenge requested after this one that still count (not failed or rejected)."""
    newer = aliased(LessonSummary)
    return select(newer.id).where(newer.team_id == team_id, newer.challenge_id == challenge_id,
                                  newer.id > summary_id,
                                  col(newer.status).in_([s.value for s in (S.GENERATING, S.DRAFT, S.APPROVED,
                                                                           S.PUBLISHED)]))


def _claim(session: Session, summary: LessonSummary, seen_revision: int, allowed: tuple[SummaryStatus, ...],
           action: str, latest_only: bool = False, **changes) -> None:
    """Move the summary on by one revision if it is still the one the person saw, applying `changes`.

    `latest_only`: also refuse when the team has a newer summary of the challenge, checked in the same UPDATE,
    so an older draft can never reach the library after (or beside) a newer one."""
    conditions = [LessonSummary.id == summary.id, LessonSummary.revision == seen_revision,
                  col(LessonSummary.status).in_([status.value for status in allowed])]
    if latest_only:
        conditions.append(~exists(_newer_summaries(summary.id, summary.team_id, summary.challenge_id)))
    result = session.exec(
        update(LessonSummary).where(*conditions)
        .values(revision=LessonSummary.revision + 1, updated_at=utcnow(), **changes)
    )
    session.refresh(summary)
    if result.rowcount == 1:
        return
    if summary.revision != seen_revision:
        raise StaleRevision(summary)
    if summary.status in allowed:
        raise NotAllowed(f"This summary cannot be {action}: the team has a newer summary of this challenge. "
                         "Review that one instead.")
    raise NotAllowed(f"A {summary.status.value} summary cannot be {action}.")


def edit_summary(session: Session, user: User, summary_id: int, seen_revision: int,
                 texts: dict[str, list[str]]) -> LessonSummaryVersion:
    """Save the lead's text of each lesson as a new version (a blank text drops that lesson; citations stay).

    `texts` maps each section to the new texts of the current version's items, in order.
    Raises NotYourTeam, InvalidReview, NotAllowed or StaleRevision.
    """
    summary = summary_for_lead(session, user, summary_id)
    if summary.revision != seen_revision:
        raise StaleRevision(summary)
    version = current_version(session, summary)
    if version is None or summary.status not in EDITABLE:
        raise NotAllowed(f"A {summary.status.value} summary cannot be edited.")
    content, errors = {}, {}
    for section in SECTIONS:
        items = version.content.get(section, [])
        new_texts = list(texts.get(section, []))
        content[section] = []
        for index, item in enumerate(items):
            text = (new_texts[index] if index < len(new_texts) else item["text"]).strip()
            if not text:
                continue
            if len(text) < LESSON_MIN or len(text) > LESSON_MAX:
                errors[f"{section}-{index}"] = f"A lesson is {LESSON_MIN} to {LESSON_MAX} characters (this one has {len(text)})."
            # The item keeps what the writer gave beside its text (the supporting quote).
            content[section].append({**item, "text": text, "citations": list(item["citations"])})
    if errors:
        raise InvalidReview(errors)
    if content == {section: version.content.get(section, []) for section in SECTIONS}:
        raise InvalidReview({"form": "Nothing changed: edit a lesson (or clear one to drop it) before saving."})
    _claim(session, summary, seen_revision, EDITABLE, "edited", status=S.DRAFT,
           current_version=LessonSummary.current_version + 1)
    new = LessonSummaryVersion(summary_id=summary.id, number=summary.current_version, content=content,
                               writer=version.writer, template_version=version.template_version,
                               edited_by_id=user.id)
    session.add(new)
    session.flush()
    return new


def regenerate_summary(session: Session, user: User, summary_id: int, seen_revision: int,
                       guidance: str) -> LessonSummary:
    """Ask the writer for a new version, with the lead's guidance (its own length-limited place among the
    instructions, below the rules).

    Raises NotYourTeam, InvalidReview, NotAllowed or StaleRevision.
    """
    summary = summary_for_lead(session, user, summary_id)
    guidance = (guidance or "").strip()
    if len(guidance) > GUIDANCE_MAX:
        raise InvalidReview({"guidance": f"Guidance is at most {GUIDANCE_MAX} characters (this has {len(guidance)})."})
    _claim(session, summary, seen_revision, REGENERABLE, "regenerated", status=S.GENERATING, error=None,
           rejection_reason=None)
    # A key per revision: each regeneration is its own job, and a double submit (same revision) is refused above.
    enqueue(session, SUMMARISE_TEAM, f"{outbox_key(summary)}:regenerate:{summary.revision}", summary_id=summary.id,
            guidance=guidance)
    return summary


def approve_summary(session: Session, user: User, summary_id: int, seen_revision: int) -> LessonSummary:
    """Mark the draft as checked and ready to publish. Raises NotYourTeam, NotAllowed or StaleRevision."""
    summary = summary_for_lead(session, user, summary_id)
    _claim(session, summary, seen_revision, (S.DRAFT,), "approved", latest_only=True, status=S.APPROVED)
    return summary


def reject_summary(session: Session, user: User, summary_id: int, seen_revision: int, reason: str) -> LessonSummary:
    """Refuse the summary, saying why. Raises NotYourTeam, InvalidReview, NotAllowed or StaleRevision."""
    summary = summary_for_lead(session, user, summary_id)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidReview({"reason": "Say why the summary is rejected, so the team knows what to change."})
    if len(reason) > REASON_MAX:
        raise InvalidReview({"reason": f"The reason is at most {REASON_MAX} characters (this has {len(reason)})."})
    _claim(session, summary, seen_revision, (S.DRAFT, S.APPROVED), "rejected", status=S.REJECTED,
           rejection_reason=reason)
    return summary


def publish_summary(session: Session, user: User, summary_id: int, seen_revision: int) -> list[Lesson]:
    """Put the approved version's lessons in the library and tell the team's members.

    Raises NotYourTeam, NotAllowed or StaleRevision.
    """
    summary = summary_for_lead(session, user, summary_id)
    now = utcnow()
    _claim(session, summary, seen_revision, (S.APPROVED,), "published", latest_only=True, status=S.PUBLISHED,
           published_at=now)
    version = current_version(session, summary)
    kinds = _mission_kinds(session, summary, version)
    lessons = []
    for section in SECTIONS:
        for item in version.content.get(section, []):
            cited = sorted(set(item["citations"]))
            lessons.append(Lesson(
                summary_id=summary.id, version_id=version.id, team_id=summary.team_id,
                challenge_id=summary.challenge_id, section=section, text=item["text"], citations=cited,
                mission_kinds=sorted({kind for ref in cited for kind in kinds.get(ref, ())}), published_at=now))
    session.add_all(lessons)
    _notify_team(session, summary, len(lessons))
    session.flush()
    outbound.lesson_published(session, summary, lessons)
    return lessons


def _mission_kinds(session: Session, summary: LessonSummary, version: LessonSummaryVersion) -> dict[int, set[str]]:
    """reflection id -> kinds of the mission it reflects on (only the team's shared reflections count)."""
    cited = {ref for section in SECTIONS for item in version.content.get(section, []) for ref in item["citations"]}
    if not cited:
        return {}
    rows = session.exec(
        select(Reflection.id, Mission.kind)
        .join(ReflectionPrompt, ReflectionPrompt.id == Reflection.prompt_id)
        .join(Completion, Completion.id == ReflectionPrompt.completion_id)
        .join(Mission, Mission.id == Completion.mission_id)
        .where(col(Reflection.id).in_(cited), Reflection.team_id == summary.team_id,
               Reflection.visibility == Visibility.TEAM)
    ).all()
    kinds: dict[int, set[str]] = {}
    for reflection_id, kind in rows:
        kinds.setdefault(reflection_id, set()).add(str(kind.value if hasattr(kind, "value") else kind))
    return kinds


def _notify_team(session: Session, summary: LessonSummary, count: int) -> None:
    """One in-app notification per member; keyed by the summary, so publishing can never notify twice."""
    from flask import url_for

    source = f"summary-published:{summary.id}"
    from ..notifications.delivery import store

    members = session.exec(select(Membership.user_id).where(Membership.team_id == summary.team_id)).all()
    try:
        link = url_for("library.summary", summary_id=summary.id)
    except RuntimeError:  # outside a request (CLI, tests of the rule): the path is stable
        link = f"/library/summaries/{summary.id}"
    store(session, "lesson_published", members,
          f"Your team's lessons were published to the library ({count} lessons).", source=source, link=link)
