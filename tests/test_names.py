"""Names in free text: every person of the organisation is found however they are written."""
import pytest

from webapp.names import NameMatcher, Person, Pseudonymiser, hide_names, name_words

PEOPLE = [Person(1, "Ada Lovelace"), Person(2, "Amara Okafor"), Person(3, "Sofia Marín"), Person(4, "Will Turner"),
          Person(5, "Zoë Kim-Lee"), Person(6, "Jean-Luc Picard")]
TEAM = {1, 2}


@pytest.fixture
def pseudonymise():
    return Pseudonymiser(PEOPLE, TEAM)


@pytest.mark.parametrize("text, expected", [
    ("Paired with Amara Okafor on rotating the credentials", "Paired with Participant 2 on rotating the credentials"),
    ("Pairing with Amara today", "Pairing with Participant 2 today"),
    ("Okafor wrote the runbook", "Participant 2 wrote the runbook"),
    ("building on Sofia's course", "building on Colleague 1's course"),
    ("Amara-Okafor reviewed it", "Participant 2 reviewed it"),  # never "Participant 2-Okafor"
    ("Ask Okafor-Smith", "Ask Participant 2"),  # a double-barrelled form of a known surname goes whole
    ("sofia marin and SOFIA MARÍN", "Colleague 1 and Colleague 1"),  # accents and case
    ("Zoe Kim-Lee and Kim", "Colleague 3 and Colleague 3"),
    ("jean-luc explained it", "Colleague 4 explained it"),
    ("ada's notes", "Participant 1's notes"),
])
def test_every_form_of_a_known_name_is_replaced(pseudonymise, text, expected):
    assert pseudonymise(text) == expected


def test_everyday_words_that_are_also_names_stay_unless_capitalised(pseudonymise):
    assert pseudonymise("I will try again; Will said so") == "I will try again; Colleague 2 said so"


def test_words_that_only_start_like_a_name_stay(pseudonymise):
    assert pseudonymise("Amaranth and Adamant are words") == "Amaranth and Adamant are words"


def test_pseudonyms_are_stable_and_restored_for_the_team(pseudonymise):
    again = Pseudonymiser(list(reversed(PEOPLE)), TEAM)
    assert again("Ada and Sofia") == pseudonymise("Ada and Sofia") == "Participant 1 and Colleague 1"
    assert pseudonymise.restore("Participant 1 thanked Colleague 1 and Participant 9") == (
        "Ada Lovelace thanked Sofia Marín and a teammate")


def test_library_readers_see_only_the_names_of_people_who_agreed():
    matcher = NameMatcher(PEOPLE)
    text = "Amara Okafor and Sofia Marín paired; Okafor's checklist helped."
    assert hide_names(matcher, text, shown={3}) == "a colleague and Sofia Marín paired; a colleague's checklist helped."


def test_the_words_a_person_may_be_called_by():
    assert name_words("Jean-Luc Picard") == ["Jean-Luc", "Jean", "Luc", "Picard"]
    # A two-letter part is a name word; a lone initial is not, and a word said twice counts once.
    assert name_words("Mary-Jo O Li") == ["Mary-Jo", "Mary", "Jo", "Li"]
    assert name_words("Li Li") == ["Li"]


def test_a_two_letter_name_counts_only_when_written_with_a_capital():
    pseudonymise = Pseudonymiser([Person(1, "Bo Li")], {1})
    assert pseudonymise("the li ion cells; Li agreed and Bo too") == "the li ion cells; Participant 1 agreed and Participant 1 too"


def test_a_full_name_goes_to_its_owner_even_when_another_person_shares_the_first_name():
    matcher = NameMatcher([Person(1, "Ana Silva"), Person(2, "Ana Costa-Reis")])
    # Only Ana Costa-Reis agreed to be named: her full name stays, Ana Silva's goes.
    assert hide_names(matcher, "Ana Costa-Reis thanked Ana Silva", shown={2}) == "Ana Costa-Reis thanked a colleague"
    assert hide_names(matcher, "Ana Costa Reis helped", shown={2}) == "Ana Costa Reis helped"


def test_a_shared_first_name_goes_to_the_teammate_before_a_colleague_with_a_lower_id():
    pseudonymise = Pseudonymiser([*PEOPLE, Person(8, "Sofia Ruiz")], {1, 2, 8})
    assert pseudonymise("Sofia reviewed it") == "Participant 3 reviewed it"
    assert pseudonymise("Sofia Marín reviewed it") == "Colleague 1 reviewed it"


def test_empty_text_stays_empty():
    assert hide_names(NameMatcher(PEOPLE), "", shown=set()) == ""


def test_a_character_that_unfolds_into_several_keeps_every_name_in_place(pseudonymise):
    # "…" and "ﬁ" fold into three and two letters; the names after them must still be cut at the right place.
    assert pseudonymise("Thanks… Ada, the ﬁx was Sofia's") == "Thanks… Participant 1, the ﬁx was Colleague 1's"


def test_a_full_name_split_by_a_tab_is_one_mention(pseudonymise):
    assert pseudonymise("Amara\tOkafor wrote it") == "Participant 2 wrote it"


def test_no_text_stays_no_text(pseudonymise):
    assert pseudonymise(None) is None
    assert pseudonymise("") == ""


@pytest.mark.parametrize("text, expected", [
    ("Smith-Okafor wrote it", "Participant 2 wrote it"),  # at the very start of the text
    ("Thanks to Smith-Okafor", "Thanks to Participant 2"),  # at the very end
    ("Ada, Smith-Okafor and Sofia", "Participant 1, Participant 2 and Colleague 1"),  # right after another name
])
def test_an_unknown_word_hyphenated_before_a_name_goes_with_it(pseudonymise, text, expected):
    assert pseudonymise(text) == expected


def test_names_right_after_each_other_are_each_replaced(pseudonymise):
    assert pseudonymise("Ada, Sofia, Amara") == "Participant 1, Colleague 1, Participant 2"


def test_an_everyday_word_stays_for_readers_outside_the_team_too():
    assert hide_names(NameMatcher(PEOPLE), "I will try; Will agreed", shown=set()) == "I will try; a colleague agreed"
