"""Searching the library on both backends: matches, ranking, filters, hostile queries, recent lessons."""
import pytest

from webapp.library.search import LessonFilters, fts5_query, search_lessons
from webapp.models import MissionKind


def texts(session, **filters):
    return [hit.lesson.text for hit in search_lessons(session, LessonFilters(**filters)).hits]


def test_search_finds_lessons_by_words_and_stems(world, published):
    found = texts(world.session, query="rollback")
    assert len(found) == 2 and all("rollback" in text for text in found)
    assert texts(world.session, query="flaky tests") == ["Pair programming on flaky tests beats debugging alone."]
    # Stemming: "releasing" finds "release" on both backends (english config / porter tokenizer).
    assert "Feature flags let us release without fear." in texts(world.session, query="releasing")
    assert texts(world.session, query="kubernetes") == []


def test_better_match_ranks_first(world, published):
    found = texts(world.session, query="rollback drills calm")
    assert found[0].startswith("Write the rollback plan")
    found = texts(world.session, query="rollback")
    assert found[0].startswith("Write the rollback plan")  # says it twice


def test_empty_query_lists_recent_lessons_newest_first(world, published):
    found = texts(world.session)
    assert len(found) == 4
    assert found[0] == "Feature flags let us release without fear."  # published last


def test_filters_by_team_challenge_and_mission_kind(world, published):
    assert texts(world.session, team_id=world.other_team.id) == ["Feature flags let us release without fear."]
    assert len(texts(world.session, team_id=world.team.id)) == 3
    assert len(texts(world.session, challenge_id=world.challenge.id)) == 4
    assert texts(world.session, challenge_id=world.challenge.id + 99) == []
    # Mission kinds come from the missions the cited reflections answered.
    assert sorted(texts(world.session, kind=MissionKind.EXPERIMENT)) == sorted([
        "Write the rollback plan before every release; rollback drills make deploys calm.",
        "We forgot to pin the clock in tests; the rollback was slow too."])
    assert len(texts(world.session, kind=MissionKind.HELP)) == 3
    assert texts(world.session, kind=MissionKind.FEEDBACK) == []
    assert texts(world.session, query="rollback", team_id=world.other_team.id) == []


@pytest.mark.parametrize("query", [
    "'; DROP TABLE lesson; --", '"unbalanced', "rollback OR", "NEAR(a b)", "* ^ : ( )", "rollback AND -calm",
    "lesson_fts MATCH 'x'", "\\", "%_%",
])
def test_hostile_queries_neither_fail_nor_inject(world, published, query):
    search_lessons(world.session, LessonFilters(query=query))  # no exception
    assert len(texts(world.session)) == 4  # the table is still there, untouched


def test_drafts_are_never_found(world, published):
    world.draft(key="another-draft")
    assert len(texts(world.session)) == 4


def test_fts5_query_keeps_only_quoted_words():
    assert fts5_query('rollback" OR x*') == '"rollback" "or" "x"'
    assert fts5_query("!!!") == ""
