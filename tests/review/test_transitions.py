"""The review transitions as plain functions: versions, the edit conflict, legal and illegal moves, publishing."""
import pytest
from sqlmodel import Session, select

from webapp.db import get_engine
from webapp.models import Lesson, LessonSummary, LessonSummaryVersion, Notification, OutboxJob, SummaryStatus
from webapp.summaries.access import NotYourTeam
from webapp.summaries.transitions import (
    InvalidReview, NotAllowed, StaleRevision, approve_summary, edit_summary, publish_summary, regenerate_summary,
    reject_summary,
)

from .conftest import PRIVATE_BODY


def texts_of(version):
    return {section: [item["text"] for item in items] for section, items in version.content.items()}


def versions(world, summary):
    world.session.expire_all()
    return world.session.exec(select(LessonSummaryVersion).where(LessonSummaryVersion.summary_id == summary.id)
                              .order_by(LessonSummaryVersion.number)).all()


def test_the_offline_draft_never_uses_a_private_reflection(world, draft):
    (version,) = versions(world, draft)
    cited = {ref for items in version.content.values() for item in items for ref in item["citations"]}
    assert cited and cited <= {reflection.id for reflection in world.shared}
    assert "billing export" not in str(version.content)


def test_edit_adds_a_version_and_keeps_the_old_one(world, draft):
    (first,) = versions(world, draft)
    seen = draft.revision
    texts = texts_of(first)
    texts["key_lessons"][0] = "Write the rollback plan before the release."
    edit_summary(world.session, world.lead, draft.id, seen, texts)
    world.session.commit()
    old, new = versions(world, draft)
    assert (old.number, new.number) == (1, 2)
    assert old.content == first.content  # untouched
    # The lead's text replaces the writer's; the citations and the quote that supports them stay.
    assert new.content["key_lessons"][0] == {"text": "Write the rollback plan before the release.",
                                             "citations": first.content["key_lessons"][0]["citations"],
                                             "quote": first.content["key_lessons"][0]["quote"]}
    assert new.edited_by_id == world.lead.id
    summary = world.session.get(LessonSummary, draft.id)
    assert (summary.current_version, summary.revision, summary.status) == (2, seen + 1, SummaryStatus.DRAFT)


def test_a_blank_lesson_is_dropped_and_bad_lengths_are_refused(world, draft):
    (first,) = versions(world, draft)
    seen = draft.revision
    texts = texts_of(first)
    texts["key_lessons"][0] = "x"
    with pytest.raises(InvalidReview) as refused:
        edit_summary(world.session, world.lead, draft.id, draft.revision, texts)
    assert "key_lessons-0" in refused.value.errors
    with pytest.raises(InvalidReview):  # nothing changed
        edit_summary(world.session, world.lead, draft.id, draft.revision, texts_of(first))
    world.session.rollback()
    assert len(versions(world, draft)) == 1
    texts["key_lessons"][0] = ""
    edit_summary(world.session, world.lead, draft.id, seen, texts)
    world.session.commit()
    assert len(versions(world, draft)[-1].content["key_lessons"]) == len(first.content["key_lessons"]) - 1


def test_second_of_two_concurrent_edits_is_refused_and_overwrites_nothing(world, draft):
    (first,) = versions(world, draft)
    seen = draft.revision  # both leads opened the form at this revision
    mine, theirs = texts_of(first), texts_of(first)
    mine["key_lessons"][0] = "Lena's wording of the lesson."
    theirs["key_lessons"][0] = "Colin's wording of the lesson."
    with Session(get_engine(world.database_url), expire_on_commit=False) as other:
        edit_summary(other, world.co_lead, draft.id, seen, theirs)
        other.commit()
    with pytest.raises(StaleRevision) as stale:
        edit_summary(world.session, world.lead, draft.id, seen, mine)
    world.session.rollback()
    assert "Someone else changed this summary" in stale.value.message
    kept = versions(world, draft)
    assert [version.content["key_lessons"][0]["text"] for version in kept] == [
        first.content["key_lessons"][0]["text"], "Colin's wording of the lesson."]


def test_a_stale_approve_is_refused_too(world, draft):
    seen = draft.revision  # the lead's page was rendered at this revision
    texts = texts_of(versions(world, draft)[0])
    texts["practices"][0] = "A practice, reworded by the co-lead."
    edit_summary(world.session, world.co_lead, draft.id, seen, texts)
    world.session.commit()
    with pytest.raises(StaleRevision):
        approve_summary(world.session, world.lead, draft.id, seen)
    world.session.rollback()
    assert world.session.get(LessonSummary, draft.id).status == SummaryStatus.DRAFT


def test_regenerate_with_guidance_runs_the_summary_job_and_adds_a_version(world, draft):
    regenerate_summary(world.session, world.lead, draft.id, draft.revision, "Focus on what we would do differently.")
    world.session.commit()
    summary = world.session.get(LessonSummary, draft.id)
    assert summary.status == SummaryStatus.GENERATING
    job = world.session.exec(select(OutboxJob).where(OutboxJob.status == "pending")).one()
    assert job.name == "summaries.summarise_team"
    assert job.payload == {"summary_id": draft.id, "guidance": "Focus on what we would do differently."}
    assert world.run_jobs() == ["done"]
    summary = world.session.get(LessonSummary, draft.id)
    assert (summary.status, summary.current_version) == (SummaryStatus.DRAFT, 2)
    assert len(world.session.exec(select(LessonSummary)).all()) == 1  # the same summary, not a second one
    assert versions(world, draft)[-1].guidance == "Focus on what we would do differently."


def test_regenerate_refuses_overlong_guidance(world, draft):
    with pytest.raises(InvalidReview) as refused:
        regenerate_summary(world.session, world.lead, draft.id, draft.revision, "x" * 1001)
    assert "guidance" in refused.value.errors


def test_approve_then_publish_writes_lessons_and_notifies_the_team_once(world, draft):
    approve_summary(world.session, world.lead, draft.id, draft.revision)
    world.session.commit()
    summary = world.session.get(LessonSummary, draft.id)
    assert summary.status == SummaryStatus.APPROVED
    lessons = publish_summary(world.session, world.lead, draft.id, summary.revision)
    world.session.commit()
    summary = world.session.get(LessonSummary, draft.id)
    assert summary.status == SummaryStatus.PUBLISHED and summary.published_at is not None
    stored = world.session.exec(select(Lesson).where(Lesson.summary_id == draft.id)).all()
    version = versions(world, draft)[-1]
    assert len(stored) == len(lessons) == sum(len(items) for items in version.content.values())
    assert {lesson.version_id for lesson in stored} == {version.id}
    by_text = {lesson.text: lesson for lesson in stored}
    rollback = next(lesson for text, lesson in by_text.items() if "rollback plan" in text)
    assert rollback.mission_kinds == ["experiment"] and rollback.team_id == world.team.id
    notified = world.session.exec(select(Notification.user_id).where(
        Notification.source == f"summary-published:{draft.id}")).all()
    assert sorted(notified) == sorted([world.lead.id, world.co_lead.id, world.ada.id, world.bob.id])
    # Publishing again is refused: no second set of lessons, no second notification.
    with pytest.raises(NotAllowed):
        publish_summary(world.session, world.lead, draft.id, summary.revision)
    world.session.rollback()
    assert len(world.session.exec(select(Lesson)).all()) == len(stored)
    assert len(world.session.exec(select(Notification)).all()) == 4


def test_a_draft_cannot_be_published_without_approval(world, draft):
    with pytest.raises(NotAllowed):
        publish_summary(world.session, world.lead, draft.id, draft.revision)
    world.session.rollback()
    assert world.session.exec(select(Lesson)).all() == []


def test_reject_needs_a_reason_and_a_rejected_summary_cannot_be_published_or_approved(world, draft):
    with pytest.raises(InvalidReview) as refused:
        reject_summary(world.session, world.lead, draft.id, draft.revision, "   ")
    assert "reason" in refused.value.errors
    seen = draft.revision
    reject_summary(world.session, world.lead, draft.id, seen, "It misses what we got wrong.")
    world.session.commit()
    summary = world.session.get(LessonSummary, draft.id)
    assert (summary.status, summary.rejection_reason) == (SummaryStatus.REJECTED, "It misses what we got wrong.")
    for act in (lambda: publish_summary(world.session, world.lead, draft.id, summary.revision),
                lambda: approve_summary(world.session, world.lead, draft.id, summary.revision)):
        with pytest.raises(NotAllowed):
            act()
        world.session.rollback()
    # But it can be written again with guidance.
    regenerate_summary(world.session, world.lead, draft.id, summary.revision, "Say what we got wrong.")
    world.session.commit()
    assert world.session.get(LessonSummary, draft.id).status == SummaryStatus.GENERATING


def test_a_published_summary_is_final(world, draft):
    seen = draft.revision
    approve_summary(world.session, world.lead, draft.id, seen)
    publish_summary(world.session, world.lead, draft.id, seen + 1)
    world.session.commit()
    summary = world.session.get(LessonSummary, draft.id)
    texts = texts_of(versions(world, draft)[0])
    texts["key_lessons"][0] = "Trying to rewrite history."
    for act in (lambda: edit_summary(world.session, world.lead, draft.id, summary.revision, texts),
                lambda: reject_summary(world.session, world.lead, draft.id, summary.revision, "late"),
                lambda: regenerate_summary(world.session, world.lead, draft.id, summary.revision, "")):
        with pytest.raises(NotAllowed):
            act()
        world.session.rollback()
    assert len(versions(world, draft)) == 1


def test_editing_an_approved_summary_sends_it_back_to_draft(world, draft):
    seen = draft.revision
    approve_summary(world.session, world.lead, draft.id, seen)
    world.session.commit()
    texts = texts_of(versions(world, draft)[0])
    texts["key_lessons"][0] = "A better wording."
    edit_summary(world.session, world.lead, draft.id, seen + 1, texts)
    world.session.commit()
    assert world.session.get(LessonSummary, draft.id).status == SummaryStatus.DRAFT


def test_lead_cannot_review_other_team_but_admin_can(world, draft):
    for act in (lambda user: approve_summary(world.session, user, draft.id, draft.revision),):
        with pytest.raises(NotYourTeam):
            act(world.other_lead)
        world.session.rollback()
    approve_summary(world.session, world.admin, draft.id, draft.revision)
    world.session.commit()
    assert world.session.get(LessonSummary, draft.id).status == SummaryStatus.APPROVED


def test_private_reflection_text_is_nowhere_in_the_draft(world, draft):
    assert PRIVATE_BODY not in str(versions(world, draft)[0].content)


def test_only_the_latest_summary_of_a_team_can_be_approved_or_published(world, draft):
    old = draft
    approve_summary(world.session, world.lead, old.id, old.revision)
    world.session.commit()
    old_revision = world.session.get(LessonSummary, old.id).revision
    newer = world.draft(key="newer")  # the team asked for a fresh summary meanwhile
    approve_summary(world.session, world.lead, newer.id, newer.revision)
    publish_summary(world.session, world.lead, newer.id, newer.revision)  # approving refreshed it
    world.session.commit()
    published = len(world.session.exec(select(Lesson)).all())
    with pytest.raises(NotAllowed, match="newer summary"):
        publish_summary(world.session, world.lead, old.id, old_revision)
    world.session.rollback()
    assert len(world.session.exec(select(Lesson)).all()) == published  # no lesson twice in the library
    assert world.session.get(LessonSummary, old.id).status == SummaryStatus.APPROVED


def test_an_older_draft_cannot_be_approved_once_a_newer_summary_exists(world, draft):
    world.draft(key="newer")
    with pytest.raises(NotAllowed, match="newer summary"):
        approve_summary(world.session, world.lead, draft.id, draft.revision)
    world.session.rollback()
    assert world.session.get(LessonSummary, draft.id).status == SummaryStatus.DRAFT


def test_a_failed_or_rejected_newer_summary_does_not_block_the_older_one(world, draft):
    newer = world.draft(key="newer")
    reject_summary(world.session, world.lead, newer.id, newer.revision, "Too vague.")
    world.session.commit()
    approve_summary(world.session, world.lead, draft.id, draft.revision)
    world.session.commit()
    assert world.session.get(LessonSummary, draft.id).status == SummaryStatus.APPROVED


def test_another_teams_newer_summary_does_not_block(world, draft):
    world.draft(team=world.other_team, key="foxes")
    approve_summary(world.session, world.lead, draft.id, draft.revision)
    world.session.commit()
    assert world.session.get(LessonSummary, draft.id).status == SummaryStatus.APPROVED
