"""The pseudonymiser and the citation check as rules: what the writer may see of a team's reflections, how
names become "Participant N" and back, and which citations an answer may make."""
from __future__ import annotations

import pytest

from webapp.models import Reflection, Visibility
from workers import tokens
from workers.summaries import restore_names, team_material
from workers.writing import InvalidOutput, SummaryContent, SummaryRequest, check_citations

EMPTY = {"key_lessons": [], "practices": [], "mistakes": [], "open_questions": [], "next_experiments": []}


def content(**sections) -> SummaryContent:
    return SummaryContent(**{**EMPTY, **sections})


def item(text, *citations):
    return {"text": text, "citations": list(citations), "quote": text[:150]}


# The pseudonymiser

def test_the_writer_sees_only_this_teams_shared_reflections_in_order(world, make_user):
    ada, bob = world.members
    first = world.reflect(ada, "Shared by Ada.")
    world.reflect(bob, "Only for me.", Visibility.PRIVATE)
    second = world.reflect(bob, "Shared by Bob.")
    from webapp.models import Challenge

    other = Challenge(slug="other", title="Other", starts_at=world.challenge.starts_at,
                      ends_at=world.challenge.ends_at, status=world.challenge.status)
    world.session.add(other)
    world.session.flush()
    world.session.add(Reflection(prompt_id=None, user_id=ada.id, challenge_id=other.id, team_id=world.team.id,
                                 body="Another challenge.", visibility=Visibility.TEAM))
    world.session.commit()
    material, names = team_material(world.session, world.team.id, world.challenge.id)
    assert [entry["id"] for entry in material] == [first.id, second.id]
    # Numbered by user id over the team: the lead is 1, Ada 2, Bob 3.
    assert [entry["author"] for entry in material] == ["Participant 2", "Participant 3"]
    assert {pseudonym: names.names[pseudonym] for pseudonym in ("Participant 1", "Participant 2", "Participant 3")} \
        == {"Participant 1": "Lena Lead", "Participant 2": "Ada Lovelace", "Participant 3": "Bob Builder"}
    assert material[0]["mission"] == "Share a mistake you learned from" and material[0]["kind"] == "experiment"


def test_another_teams_shared_reflections_are_not_sent(world, make_user):
    from sqlmodel import select

    from webapp.models import ChallengeTeam, Team

    ours = world.reflect(world.members[0], "Ours to share.")
    outsider = make_user("olga@example.com", team="foxes", name="Olga Outsider")
    foxes = world.session.exec(select(Team).where(Team.slug == "foxes")).one()
    world.session.add(ChallengeTeam(challenge_id=world.challenge.id, team_id=foxes.id))
    world.session.add(Reflection(prompt_id=None, user_id=outsider.id, challenge_id=world.challenge.id,
                                 team_id=foxes.id, body="The foxes' own lesson.", visibility=Visibility.TEAM))
    world.session.commit()
    material, names = team_material(world.session, world.team.id, world.challenge.id)
    assert [entry["id"] for entry in material] == [ours.id]
    assert "foxes" not in str(material)
    # Olga is known to the pseudonymiser (any person of the organisation is), but never as a participant.
    assert all(name != "Olga Outsider" for pseudonym, name in names.names.items() if pseudonym.startswith("Participant"))


def test_names_in_reflections_and_evidence_become_pseudonyms(world):
    ada, bob = world.members
    world.complete(ada)  # the evidence below belongs to the reflection's own completion
    reflection = world.reflect(ada, "Bob Builder and bob helped; LENA LEAD reviewed; Bobby and Lenah did not.")
    completion = world.completions[-1]
    completion.evidence_text = "Notes with Bob and Ada Lovelace."
    world.session.add(completion)
    world.session.commit()
    (entry,) = [e for e in team_material(world.session, world.team.id, world.challenge.id)[0]
                if e["id"] == reflection.id]
    assert entry["text"] == ("Participant 3 and Participant 3 helped; Participant 1 reviewed; Bobby and Lenah did "
                             "not.")
    assert entry["evidence"] == "Notes with Participant 3 and Participant 2."


def test_evidence_is_cut_shorter_than_the_reflection(world):
    ada, _ = world.members
    long = " ".join(["word"] * 400)
    world.reflect(ada, long)
    completion = world.completions[-1]
    completion.evidence_text = long
    world.session.add(completion)
    world.session.commit()
    (entry,) = team_material(world.session, world.team.id, world.challenge.id)[0]
    assert entry["evidence"] == tokens.truncate(long, 150)
    assert entry["text"] == tokens.truncate(long)
    assert len(entry["evidence"]) < len(entry["text"])


def test_a_reflection_without_evidence_or_mission_sends_none(world):
    ada, _ = world.members
    world.reflect(ada, "Nothing to show.")
    completion = world.completions[-1]
    completion.evidence_text = ""
    world.session.add(completion)
    world.session.add(Reflection(prompt_id=None, user_id=ada.id, challenge_id=world.challenge.id,
                                 team_id=world.team.id, body="A reflection of its own.", visibility=Visibility.TEAM))
    world.session.commit()
    with_mission, alone = team_material(world.session, world.team.id, world.challenge.id)[0]
    assert with_mission["evidence"] is None and with_mission["mission"] is not None
    assert (alone["mission"], alone["kind"], alone["evidence"]) == (None, None, None)


# The citation check

def test_citing_only_the_reflections_given_passes():
    check_citations(content(key_lessons=[item("A lesson.", 1, 2)], next_experiments=[item("Try it.", 3)]), {1, 2, 3})


def test_a_citation_in_any_section_that_was_not_given_is_refused_by_number():
    answer = content(key_lessons=[item("A lesson.", 1)], open_questions=[item("Why?", 9, 2)],
                     next_experiments=[item("Try it.", 7)])
    with pytest.raises(InvalidOutput) as refused:
        check_citations(answer, {1, 2})
    assert str(refused.value) == "citations [7, 9] are not ids of the reflections given; cite only [1, 2]"


def test_the_refusal_lists_at_most_fifty_allowed_ids():
    with pytest.raises(InvalidOutput) as refused:
        check_citations(content(practices=[item("A practice.", 500)]), set(range(1, 80)))
    assert str(refused.value).endswith(f"cite only {list(range(1, 51))}")


def test_the_ids_a_summary_may_cite_are_its_reflections_or_the_parts_it_merges():
    reflections = SummaryRequest(work_key="k", challenge_title="t", reflections=[{"id": 4}, {"id": 8}])
    assert reflections.allowed_ids() == {4, 8}
    merge = SummaryRequest(work_key="k", challenge_title="t", reflections=[{"id": 99}], partials=[
        {**EMPTY, "key_lessons": [item("a", 1, 2)], "mistakes": [item("b", 3)]},
        {"next_experiments": [item("c", 5)]}])
    assert merge.allowed_ids() == {1, 2, 3, 5}


# The citation check: a cited reflection must hold the lesson's quote

def quoted(quote, *citations, text="A lesson."):
    return {"text": text, "citations": list(citations), "quote": quote}


SOURCES = {1: "We rotated the credentials on Friday, and the runbook helped!", 2: "Pairing made the review faster."}


def test_a_quote_found_in_a_cited_reflection_passes_ignoring_case_punctuation_spacing_and_ellipses():
    check_citations(content(key_lessons=[quoted("“…rotated   THE credentials, on friday…”", 1)],
                            mistakes=[quoted("[review faster.]", 2, 1)]), {1, 2}, SOURCES)


def test_a_quote_from_a_reflection_that_was_not_cited_is_refused_naming_the_item():
    answer = content(key_lessons=[quoted("rotated the credentials", 1)],
                     practices=[quoted("Invented words here", 1), quoted("pairing made the review", 1)])
    with pytest.raises(InvalidOutput) as refused:
        check_citations(answer, {1, 2}, SOURCES)
    assert str(refused.value) == (
        "the quotes of practices[0], practices[1] are not found in the reflections they cite; "
        "copy the quote word for word from a cited reflection")


def test_a_quote_of_only_punctuation_supports_nothing():
    with pytest.raises(InvalidOutput, match=r"next_experiments\[0\]"):
        check_citations(content(next_experiments=[quoted("... “” ...", 1)]), {1}, SOURCES)


def test_a_quote_must_keep_its_words_and_their_order():
    with pytest.raises(InvalidOutput, match=r"open_questions\[0\]"):
        check_citations(content(open_questions=[quoted("credentials the rotated", 1)]), {1}, SOURCES)
    with pytest.raises(InvalidOutput, match=r"open_questions\[0\]"):
        check_citations(content(open_questions=[quoted("rotatedthe credentials", 1)]), {1}, SOURCES)


def test_the_refusal_names_at_most_ten_items():
    bad = [quoted(f"not there {n}", 1) for n in range(5)]
    with pytest.raises(InvalidOutput) as refused:
        check_citations(content(key_lessons=bad, practices=bad, mistakes=bad), {1}, SOURCES)
    named = str(refused.value).split("the quotes of ")[1].split(" are not found")[0]
    assert named.split(", ") == [f"key_lessons[{n}]" for n in range(5)] + [f"practices[{n}]" for n in range(5)]


def test_an_unknown_citation_is_refused_before_the_quotes_are_looked_at():
    with pytest.raises(InvalidOutput, match=r"^citations \[7\] are not ids"):
        check_citations(content(key_lessons=[quoted("not in any reflection", 7)]), {1, 2}, SOURCES)


def test_without_sources_only_the_ids_are_checked():
    check_citations(content(key_lessons=[quoted("not in any reflection", 1)]), {1, 2})


def test_a_cited_reflection_without_text_supports_no_quote():
    # Reflection 3 may be cited but has no text to quote from: the lesson citing only it is refused, not a crash.
    with pytest.raises(InvalidOutput, match=r"^the quotes of practices\[0\] are not found"):
        check_citations(content(practices=[quoted("rotated the credentials", 3)]), {1, 2, 3}, SOURCES)
    check_citations(content(practices=[quoted("rotated the credentials", 3, 1)]), {1, 2, 3}, SOURCES)
