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
    return {"text": text, "citations": list(citations)}


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
    assert names == {"Participant 1": "Lena Lead", "Participant 2": "Ada Lovelace", "Participant 3": "Bob Builder"}
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
    assert "Olga Outsider" not in names.values()


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


def test_short_names_are_left_alone_but_a_short_first_name_is_replaced_in_the_full_name(world, make_user):
    al = make_user("al@example.com", team="owls", name="Al Green")
    x = make_user("x@example.com", team="owls", name="X")
    reflection = world.reflect(al, "Al Green, Al and X met; green is a colour, al dente is pasta.")
    material, names = team_material(world.session, world.team.id, world.challenge.id)
    (entry,) = [e for e in material if e["id"] == reflection.id]
    pseudonym = {name: p for p, name in names.items()}
    assert entry["text"] == f"{pseudonym['Al Green']}, Al and X met; green is a colour, al dente is pasta."
    assert pseudonym["X"].startswith("Participant ")


def test_a_two_letter_name_is_replaced_and_a_shared_first_name_goes_to_the_longer_full_name(world, make_user):
    jo = make_user("jo@example.com", team="owls", name="Jo")
    make_user("ada.k@example.com", team="owls", name="Ada King")
    reflection = world.reflect(jo, "Jo asked Ada; Ada King answered.")
    material, names = team_material(world.session, world.team.id, world.challenge.id)
    pseudonym = {name: p for p, name in names.items()}
    (entry,) = [e for e in material if e["id"] == reflection.id]
    # "Ada" alone could be Ada Lovelace or Ada King: the longer full name is matched first, so it takes it.
    assert entry["text"] == (f"{pseudonym['Jo']} asked {pseudonym['Ada Lovelace']}; {pseudonym['Ada King']} "
                             "answered.")


def test_a_team_whose_names_are_all_initials_sends_its_text_unchanged():
    from workers.summaries import _name_replacer

    assert _name_replacer({1: ("Participant 1", "X")})("X wrote this.") == "X wrote this."
    assert _name_replacer({})("Nobody named.") == "Nobody named."


def test_an_author_who_left_the_team_still_gets_a_pseudonym(world, make_user):
    from webapp.models import Membership
    from sqlmodel import select

    ada, _ = world.members
    reflection = world.reflect(ada, "Before I moved teams.")
    world.session.delete(world.session.exec(select(Membership).where(Membership.user_id == ada.id)).one())
    world.session.commit()
    material, names = team_material(world.session, world.team.id, world.challenge.id)
    (entry,) = [e for e in material if e["id"] == reflection.id]
    assert names[entry["author"]] == "Ada Lovelace"
    assert entry["author"] == "Participant 2"  # numbered by user id: still after the lead (1)


def test_pseudonyms_the_writer_kept_are_shown_as_the_people(world):
    names = {"Participant 1": "Lena Lead", "Participant 2": "Ada Lovelace"}
    restored = restore_names(content(key_lessons=[item("Participant 2 taught Participant 1.", 4)],
                                     mistakes=[item("Participant 9 and Participant 12 were invented.", 5, 6)]), names)
    assert restored == {**EMPTY, "key_lessons": [item("Ada Lovelace taught Lena Lead.", 4)],
                        "mistakes": [item("a teammate and a teammate were invented.", 5, 6)]}


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
