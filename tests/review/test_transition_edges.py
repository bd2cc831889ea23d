"""Review transitions at their edges: lesson and text lengths exactly at the limits, what an edit keeps,
what each refusal says, and what publishing writes (only the team's shared reflections give lesson kinds)."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from webapp.models import (
    Challenge, ChallengeStatus, Lesson, LessonSummary, LessonSummaryVersion, Notification, OutboxJob, SummaryStatus,
    Visibility, utcnow,
)
from webapp.summaries.transitions import (
    GUIDANCE_MAX, LESSON_MAX, LESSON_MIN, REASON_MAX, InvalidReview, NotAllowed, StaleRevision, approve_summary,
    current_version, edit_summary, publish_summary, regenerate_summary, reject_summary,
)

ALL_SECTIONS = ("key_lessons", "practices", "mistakes", "open_questions", "next_experiments")


def written(world, content: dict, status=SummaryStatus.DRAFT, challenge=None, **fields) -> LessonSummary:
    """A summary whose first version says exactly `content` (sections left out are absent)."""
    summary = LessonSummary(work_key=f"edge:{uuid.uuid4().hex}", team_id=world.team.id,
                            challenge_id=(challenge or world.challenge).id, trigger="on_demand", status=status,
                            current_version=1, **fields)
    world.session.add(summary)
    world.session.flush()
    world.session.add(LessonSummaryVersion(summary_id=summary.id, number=1, content=content, writer="offline",
                                           template_version="t7"))
    world.session.commit()
    return summary


def lesson(text, *citations):
    return {"text": text, "citations": list(citations)}


@pytest.fixture
def three(world):
    """A draft of three key lessons and one practice, each citing a shared reflection."""
    ada, bob = world.shared
    return written(world, {"key_lessons": [lesson("First lesson.", ada.id), lesson("Second lesson.", bob.id),
                                           lesson("Third lesson.", ada.id)],
                           "practices": [lesson("A practice.", bob.id)]})


def latest(world, summary):
    world.session.expire_all()
    return current_version(world.session, world.session.get(LessonSummary, summary.id))


def refused(act) -> InvalidReview | NotAllowed | StaleRevision:
    with pytest.raises((InvalidReview, NotAllowed, StaleRevision)) as error:
        act()
    return error.value


# Editing

def test_an_edit_keeps_the_lessons_not_sent_and_the_sections_not_named(world, three):
    edit_summary(world.session, world.lead, three.id, three.revision, {"key_lessons": ["First, reworded."]})
    world.session.commit()
    version = latest(world, three)
    ada, bob = world.shared
    assert version.number == 2
    assert version.content == {
        "key_lessons": [lesson("First, reworded.", ada.id), lesson("Second lesson.", bob.id),
                        lesson("Third lesson.", ada.id)],
        "practices": [lesson("A practice.", bob.id)], "mistakes": [], "open_questions": [], "next_experiments": []}
    assert (version.writer, version.template_version, version.edited_by_id) == ("offline", "t7", world.lead.id)


def test_clearing_a_lesson_drops_only_that_lesson(world, three):
    edit_summary(world.session, world.lead, three.id, three.revision, {"key_lessons": ["", "  ", "Third, kept."]})
    world.session.commit()
    assert [item["text"] for item in latest(world, three).content["key_lessons"]] == ["Third, kept."]


def test_lessons_exactly_at_the_shortest_and_longest_length_are_saved(world, three):
    shortest, longest = "x" * LESSON_MIN, "y" * LESSON_MAX
    edit_summary(world.session, world.lead, three.id, three.revision, {"key_lessons": [shortest, longest]})
    world.session.commit()
    assert [item["text"] for item in latest(world, three).content["key_lessons"]][:2] == [shortest, longest]


@pytest.mark.parametrize("length", [LESSON_MIN - 1, LESSON_MAX + 1])
def test_a_lesson_just_outside_the_lengths_is_refused_beside_its_field(world, three, length):
    error = refused(lambda: edit_summary(world.session, world.lead, three.id, three.revision,
                                         {"key_lessons": ["ok lesson", "z" * length]}))
    assert error.errors == {"key_lessons-1": f"A lesson is {LESSON_MIN} to {LESSON_MAX} characters "
                                             f"(this one has {length})."}
    assert str(error) == error.message == error.errors["key_lessons-1"]
    world.session.rollback()
    assert latest(world, three).number == 1


def test_every_lesson_out_of_length_is_named_in_one_refusal(world, three):
    error = refused(lambda: edit_summary(world.session, world.lead, three.id, three.revision,
                                         {"key_lessons": ["ab", "fine lesson", "cd"]}))
    assert list(error.errors) == ["key_lessons-0", "key_lessons-2"]
    assert str(error) == "; ".join(error.errors.values())


def test_saving_without_a_change_is_refused(world, three):
    error = refused(lambda: edit_summary(world.session, world.lead, three.id, three.revision,
                                         {"key_lessons": [" First lesson. "]}))
    assert error.errors == {"form": "Nothing changed: edit a lesson (or clear one to drop it) before saving."}


def test_a_summary_missing_a_section_can_still_be_edited(world):
    summary = written(world, {"practices": [lesson("Only a practice.", world.shared[0].id)]})
    edit_summary(world.session, world.lead, summary.id, summary.revision, {"practices": ["A better practice."]})
    world.session.commit()
    content = latest(world, summary).content
    assert content["practices"][0]["text"] == "A better practice." and content["key_lessons"] == []


@pytest.mark.parametrize("status", [SummaryStatus.REJECTED, SummaryStatus.GENERATING, SummaryStatus.FAILED,
                                    SummaryStatus.PUBLISHED])
def test_only_drafts_and_approved_summaries_can_be_edited(world, status):
    summary = written(world, {"key_lessons": [lesson("A lesson.", world.shared[0].id)]}, status=status)
    error = refused(lambda: edit_summary(world.session, world.lead, summary.id, summary.revision,
                                         {"key_lessons": ["Another lesson."]}))
    assert isinstance(error, NotAllowed) and error.message == f"A {status.value} summary cannot be edited."


@pytest.mark.parametrize("texts", [{"key_lessons": ["A lesson."]}, {"key_lessons": ["No"]}])
def test_a_published_summary_refuses_any_edit_before_looking_at_the_text(world, texts):
    """Unchanged or too short, the text is not the problem: a published summary cannot be edited at all."""
    summary = written(world, {"key_lessons": [lesson("A lesson.", world.shared[0].id)]},
                      status=SummaryStatus.PUBLISHED)
    error = refused(lambda: edit_summary(world.session, world.lead, summary.id, summary.revision, texts))
    assert isinstance(error, NotAllowed) and error.message == "A published summary cannot be edited."


def test_an_edit_from_an_old_page_names_the_current_version(world, three):
    error = refused(lambda: edit_summary(world.session, world.lead, three.id, three.revision + 1,
                                         {"key_lessons": ["Reworded."]}))
    assert isinstance(error, StaleRevision) and error.summary.id == three.id
    assert "it is now at version 1, draft" in error.message


# Which status allows what: each refusal says what was refused

@pytest.mark.parametrize("status, act, words", [
    (SummaryStatus.APPROVED, "approve", "A approved summary cannot be approved."),
    (SummaryStatus.DRAFT, "publish", "A draft summary cannot be published."),
    (SummaryStatus.REJECTED, "reject", "A rejected summary cannot be rejected."),
    (SummaryStatus.GENERATING, "regenerate", "A generating summary cannot be regenerated."),
    (SummaryStatus.PUBLISHED, "regenerate", "A published summary cannot be regenerated."),
])
def test_a_move_the_status_does_not_allow_is_refused_by_name(world, status, act, words):
    summary = written(world, {"key_lessons": [lesson("A lesson.", world.shared[0].id)]}, status=status)
    acts = {"approve": lambda: approve_summary(world.session, world.lead, summary.id, summary.revision),
            "publish": lambda: publish_summary(world.session, world.lead, summary.id, summary.revision),
            "reject": lambda: reject_summary(world.session, world.lead, summary.id, summary.revision, "why"),
            "regenerate": lambda: regenerate_summary(world.session, world.lead, summary.id, summary.revision, "")}
    error = refused(acts[act])
    assert isinstance(error, NotAllowed) and error.message == words


@pytest.mark.parametrize("status", [SummaryStatus.DRAFT, SummaryStatus.APPROVED, SummaryStatus.REJECTED,
                                    SummaryStatus.FAILED])
def test_regenerating_clears_the_last_error_and_rejection(world, status):
    summary = written(world, {"key_lessons": [lesson("A lesson.", world.shared[0].id)]}, status=status,
                      error="the writer timed out", rejection_reason="too vague")
    regenerate_summary(world.session, world.lead, summary.id, summary.revision, None)
    world.session.commit()
    world.session.expire_all()
    stored = world.session.get(LessonSummary, summary.id)
    assert (stored.status, stored.error, stored.rejection_reason, stored.revision) == (
        SummaryStatus.GENERATING, None, None, 1)
    job = world.session.exec(select(OutboxJob).where(OutboxJob.name == "summaries.summarise_team")).one()
    assert job.key == f"lesson-summary:{summary.work_key}:regenerate:1"
    assert job.payload == {"summary_id": summary.id, "guidance": ""}


def test_guidance_of_exactly_the_longest_length_is_accepted(world, three):
    regenerate_summary(world.session, world.lead, three.id, three.revision, f" {'g' * GUIDANCE_MAX} ")
    world.session.commit()
    job = world.session.exec(select(OutboxJob).where(OutboxJob.name == "summaries.summarise_team")).one()
    assert job.payload["guidance"] == "g" * GUIDANCE_MAX
    error = refused(lambda: regenerate_summary(world.session, world.lead, three.id, three.revision + 1,
                                               "g" * (GUIDANCE_MAX + 1)))
    assert error.errors == {"guidance": f"Guidance is at most {GUIDANCE_MAX} characters (this has "
                                        f"{GUIDANCE_MAX + 1})."}


# Rejecting

def test_a_rejection_reason_of_exactly_the_longest_length_is_kept_trimmed(world):
    summary = written(world, {"key_lessons": [lesson("A lesson.", world.shared[0].id)]}, status=SummaryStatus.APPROVED)
    reject_summary(world.session, world.lead, summary.id, summary.revision, f"  {'r' * REASON_MAX}  ")
    world.session.commit()
    world.session.expire_all()
    stored = world.session.get(LessonSummary, summary.id)
    assert (stored.status, stored.rejection_reason) == (SummaryStatus.REJECTED, "r" * REASON_MAX)


def test_a_rejection_needs_a_reason_and_not_too_long_a_one(world, three):
    assert refused(lambda: reject_summary(world.session, world.lead, three.id, three.revision, None)).errors == {
        "reason": "Say why the summary is rejected, so the team knows what to change."}
    assert refused(lambda: reject_summary(world.session, world.lead, three.id, three.revision,
                                          "r" * (REASON_MAX + 1))).errors == {
        "reason": f"The reason is at most {REASON_MAX} characters (this has {REASON_MAX + 1})."}


# Publishing

def test_publishing_writes_one_lesson_per_item_with_its_citations_and_kinds(world):
    ada, bob = world.shared
    other_team = world.reflect(world.outsider, "Not ours.", team=world.other_team, mission=world.missions[1])
    summary = written(world, {
        "key_lessons": [lesson("Both kinds.", bob.id, ada.id, ada.id)],
        "mistakes": [lesson("Only the team's shared reflections give kinds.", world.private.id, other_team.id)],
    }, status=SummaryStatus.APPROVED)
    lessons = publish_summary(world.session, world.lead, summary.id, summary.revision)
    world.session.commit()
    stored = world.session.exec(select(Lesson).order_by(Lesson.id)).all()
    assert [lesson.id for lesson in lessons] == [lesson.id for lesson in stored]
    both, only = stored
    assert (both.section, both.text, both.citations, both.mission_kinds) == (
        "key_lessons", "Both kinds.", sorted([ada.id, bob.id]), ["experiment", "help"])
    assert (only.section, only.citations, only.mission_kinds) == (
        "mistakes", sorted([world.private.id, other_team.id]), [])
    version = latest(world, summary)
    published = world.session.get(LessonSummary, summary.id)
    for row in stored:
        assert (row.summary_id, row.version_id, row.team_id, row.challenge_id) == (
            summary.id, version.id, world.team.id, world.challenge.id)
        assert row.published_at == published.published_at


def test_publishing_a_summary_without_citations_gives_lessons_without_kinds(world):
    summary = written(world, {"key_lessons": [lesson("Uncited.")]}, status=SummaryStatus.APPROVED)
    (only,) = publish_summary(world.session, world.lead, summary.id, summary.revision)
    assert (only.citations, only.mission_kinds) == ([], [])


def test_publishing_tells_each_member_once_with_the_count_and_the_link(world):
    summary = written(world, {"key_lessons": [lesson("One.", world.shared[0].id), lesson("Two.", world.shared[1].id)],
                              "practices": [lesson("Three.", world.shared[0].id)]}, status=SummaryStatus.APPROVED)
    source = f"summary-published:{summary.id}"
    world.session.add(Notification(user_id=world.ada.id, text="told already", source=source))
    world.session.commit()
    publish_summary(world.session, world.lead, summary.id, summary.revision)
    world.session.commit()
    notes = world.session.exec(select(Notification).where(Notification.source == source)
                               .order_by(Notification.user_id)).all()
    assert sorted(note.user_id for note in notes) == sorted(
        [world.lead.id, world.co_lead.id, world.ada.id, world.bob.id])
    fresh = [note for note in notes if note.user_id != world.ada.id]
    assert {(note.text, note.link) for note in fresh} == {
        ("Your team's lessons were published to the library (3 lessons).", f"/library/summaries/{summary.id}")}
    # Its kind is what each person's notification settings switch on and off.
    assert {note.kind for note in fresh} == {"lesson_published"}


def test_publishing_from_a_page_links_the_notification_to_the_library_page(world, app):
    summary = written(world, {"key_lessons": [lesson("One.", world.shared[0].id)]}, status=SummaryStatus.APPROVED)
    with app.test_request_context():
        from flask import url_for

        expected = url_for("library.summary", summary_id=summary.id)
        publish_summary(world.session, world.lead, summary.id, summary.revision)
    world.session.commit()
    links = set(world.session.exec(select(Notification.link).where(
        Notification.source == f"summary-published:{summary.id}")).all())
    assert links == {expected} and expected.endswith(f"/{summary.id}")


def test_a_newer_summary_blocks_approving_the_older_one_but_not_rejecting_or_editing_it(world):
    old_text = {"key_lessons": [lesson("An older lesson.", world.shared[0].id)]}
    new_text = {"key_lessons": [lesson("A newer lesson.", world.shared[1].id)]}
    older, _ = written(world, old_text), written(world, new_text)
    error = refused(lambda: approve_summary(world.session, world.lead, older.id, older.revision))
    assert isinstance(error, NotAllowed) and error.message == (
        "This summary cannot be approved: the team has a newer summary of this challenge. Review that one instead.")
    world.session.rollback()
    edit_summary(world.session, world.lead, older.id, older.revision, {"key_lessons": ["An older lesson, reworded."]})
    world.session.commit()
    seen = world.session.get(LessonSummary, older.id).revision
    reject_summary(world.session, world.lead, older.id, seen, "Superseded by the newer one.")
    world.session.commit()
    assert world.session.get(LessonSummary, older.id).status == SummaryStatus.REJECTED


def another_challenge(world) -> Challenge:
    challenge = Challenge(slug="next", title="The next challenge", starts_at=world.challenge.starts_at,
                          ends_at=world.challenge.ends_at, status=ChallengeStatus.RUNNING)
    world.session.add(challenge)
    world.session.commit()
    return challenge


def test_a_newer_summary_of_another_challenge_does_not_block_this_ones(world):
    this = written(world, {"key_lessons": [lesson("This challenge's lesson.", world.shared[0].id)]})
    written(world, {"key_lessons": [lesson("The next challenge's lesson.")]}, challenge=another_challenge(world))
    approve_summary(world.session, world.lead, this.id, this.revision)
    world.session.commit()
    publish_summary(world.session, world.lead, this.id, world.session.get(LessonSummary, this.id).revision)
    world.session.commit()
    assert world.session.get(LessonSummary, this.id).status == SummaryStatus.PUBLISHED


def test_each_summary_reads_its_own_version_when_two_have_the_same_number(world):
    written(world, {"key_lessons": [lesson("The next challenge's lesson.")]}, challenge=another_challenge(world))
    this = written(world, {"key_lessons": [lesson("This challenge's lesson.", world.shared[0].id)]})
    assert latest(world, this).summary_id == this.id
    approve_summary(world.session, world.lead, this.id, this.revision)
    world.session.commit()
    publish_summary(world.session, world.lead, this.id, world.session.get(LessonSummary, this.id).revision)
    world.session.commit()
    texts = world.session.exec(select(Lesson.text).where(Lesson.summary_id == this.id)).all()
    assert texts == ["This challenge's lesson."]


def test_every_review_move_stamps_the_summary_as_changed(world, three):
    long_ago = utcnow() - timedelta(days=30)
    world.session.exec(update(LessonSummary).where(LessonSummary.id == three.id).values(updated_at=long_ago))
    world.session.commit()
    approve_summary(world.session, world.lead, three.id, three.revision)
    world.session.commit()
    world.session.expire_all()
    assert world.session.get(LessonSummary, three.id).updated_at > utcnow() - timedelta(minutes=5)


# The job's side: a draft written, a summary failed for good

def test_a_written_draft_records_who_wrote_it_and_moves_the_revision_on_by_one(world):
    from webapp.summaries.transitions import record_draft

    summary = written(world, {"key_lessons": [lesson("First lesson.")]}, status=SummaryStatus.GENERATING,
                      revision=4, error="the model timed out")
    version = record_draft(world.session, summary, content={"key_lessons": [lesson("Again.")]}, guidance="shorter",
                           writer="openai:gpt-test", template_version="t9")
    world.session.commit()
    world.session.expire_all()
    stored = world.session.get(LessonSummary, summary.id)
    assert (stored.status, stored.error, stored.revision, stored.current_version) == (SummaryStatus.DRAFT, None, 5, 2)
    again = latest(world, summary)
    assert (again.id, again.number, again.writer, again.template_version, again.guidance) == (
        version.id, 2, "openai:gpt-test", "t9", "shorter")


def _summary_job(world, summary) -> OutboxJob:
    job = OutboxJob(name="summaries.summarise_team", key=f"edge-job:{summary.id}", payload={"summary_id": summary.id})
    world.session.add(job)
    world.session.commit()
    return job


def test_a_summary_job_failing_for_good_fails_the_summary_being_written_with_its_reason(world):
    from webapp.summaries.transitions import mark_summary_failed

    summary = written(world, {}, status=SummaryStatus.GENERATING)
    mark_summary_failed(world.session, _summary_job(world, summary), "The writer did not answer in time.")
    world.session.commit()
    world.session.expire_all()
    stored = world.session.get(LessonSummary, summary.id)
    assert (stored.status, stored.error) == (SummaryStatus.FAILED, "The writer did not answer in time.")


@pytest.mark.parametrize("status", [SummaryStatus.DRAFT, SummaryStatus.APPROVED, SummaryStatus.PUBLISHED])
def test_a_late_failure_leaves_a_summary_already_written_as_it_is(world, status):
    from webapp.summaries.transitions import mark_summary_failed

    summary = written(world, {"key_lessons": [lesson("First lesson.")]}, status=status)
    mark_summary_failed(world.session, _summary_job(world, summary), "The writer did not answer in time.")
    world.session.commit()
    world.session.expire_all()
    stored = world.session.get(LessonSummary, summary.id)
    assert (stored.status, stored.error) == (status, None)
