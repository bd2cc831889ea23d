"""The offline writer on team reflections with known lessons (tests/evaluation), tuned on one half and
held to the same standard on the other; and the rules it reads sentences by."""
from __future__ import annotations

import pytest

from workers.evaluation import DEFAULT_SET, evaluate, load_set, totals
from workers.lessons import classify, summarise
from workers.offline_writer import OfflineWriter


def offline_results(split: str):
    return evaluate(lambda log: OfflineWriter(log), [team for team in load_set() if team.split == split])


def test_the_evaluation_set_has_several_teams_in_both_halves():
    teams = load_set(DEFAULT_SET)
    assert {team.split for team in teams} == {"tuning", "holdout"}
    assert sum(team.split == "holdout" for team in teams) >= 3 and sum(team.split == "tuning" for team in teams) >= 5
    for team in teams:
        ids = {reflection["id"] for reflection in team.reflections}
        assert all(set(lesson.sources) <= ids for lesson in team.lessons), team.name


@pytest.mark.parametrize("split, least_recall", [("tuning", 0.95), ("holdout", 0.9)])
def test_lessons_are_recalled_with_valid_citations_on_both_halves(split, least_recall):
    result = totals(offline_results(split))
    assert result.failed_teams == 0 and result.schema_failures == 0
    assert result.recall >= least_recall
    assert result.citation_validity == 1.0  # every quote is found in a reflection the item cites
    assert result.supported_citations >= 0.8  # and the cited reflections carry the lesson


def test_every_team_gets_a_key_lesson_and_every_reflection_is_heard():
    for result in offline_results("tuning") + offline_results("holdout"):
        assert result.content.key_lessons, result.team.name
        cited = result.content.cited_ids()
        assert cited == {reflection["id"] for reflection in result.team.reflections}, result.team.name


def test_related_reflections_are_grouped_and_ranked_by_support():
    content = summarise([
        {"id": 1, "text": "Our written checklist made the credential rotation calm."},
        {"id": 2, "text": "Following the rotation checklist line by line worked."},
        {"id": 3, "text": "The coffee machine on floor two is broken again."},
    ])
    assert content.practices[0].citations == [1, 2]
    assert content.key_lessons[0].citations == [1, 2]


@pytest.mark.parametrize("sentence, kind", [
    ("The canary caught the failure before it broke anything for customers.", "success"),
    ("Nothing broke during the rollout.", "success"),
    ("We had no errors this time because we froze the clock.", "success"),
    ("The new dashboard did not work for the on-call team.", "mistake"),
    ("I forgot to tell the analytics team, so their export failed.", "mistake"),
    ("Next time I will try smaller changes.", "next"),
    ("How do we decide when to escalate? Nobody could say.", "question"),
])
def test_sentences_are_filed_by_their_cues_read_in_context(sentence, kind):
    assert classify(sentence)[0] == kind


def test_a_reflection_without_any_cue_word_still_gives_a_key_lesson():
    content = summarise([{"id": 9, "text": "Spent the afternoon with the payroll people going through their export."}])
    assert content.key_lessons[0].citations == [9]
