"""Library tests reuse the review world; `published` adds lessons through the real transitions."""
from __future__ import annotations

import pytest
from sqlmodel import select

from tests.review.conftest import draft, world  # noqa: F401  (fixtures)
from webapp.models import Lesson, LessonSummaryVersion
from webapp.summaries.transitions import approve_summary, publish_summary


def publish_texts(world, summary, lessons: dict[str, list[tuple[str, list[int]]]]):
    """Give the summary's current version these lessons, then approve and publish it as its lead."""
    version = world.session.exec(select(LessonSummaryVersion).where(
        LessonSummaryVersion.summary_id == summary.id,
        LessonSummaryVersion.number == summary.current_version)).one()
    sections = ("key_lessons", "practices", "mistakes", "open_questions", "next_experiments")
    version.content = {section: [{"text": text, "citations": refs} for text, refs in lessons.get(section, [])]
                       for section in sections}
    world.session.add(version)
    world.session.commit()
    lead = world.lead if summary.team_id == world.team.id else world.other_lead
    seen = summary.revision
    approve_summary(world.session, lead, summary.id, seen)
    publish_summary(world.session, lead, summary.id, seen + 1)
    world.session.commit()
    return world.session.exec(select(Lesson).where(Lesson.summary_id == summary.id)).all()


@pytest.fixture
def published(world, draft):
    """Owls publish three lessons; foxes publish one. Returns the owls' summary."""
    ada, bob = world.shared
    fox = world.reflect(world.outsider, "Foxes tried feature flags and it worked well.", team=world.other_team,
                        mission=world.missions[1])
    publish_texts(world, draft, {
        "key_lessons": [("Write the rollback plan before every release; rollback drills make deploys calm.", [ada.id])],
        "practices": [("Pair programming on flaky tests beats debugging alone.", [bob.id])],
        "mistakes": [("We forgot to pin the clock in tests; the rollback was slow too.", [bob.id, ada.id])],
    })
    fox_summary = world.draft(world.other_team)
    publish_texts(world, fox_summary, {"practices": [("Feature flags let us release without fear.", [fox.id])]})
    world.fox_summary = fox_summary
    return draft
