"""Finding the organisation's people in free text, to replace them by pseudonyms or hide them.

One matcher serves every place a name must not travel: reflections, completion evidence and earlier
reflections on their way to a model, and lessons shown outside their team. It knows every person of the
organisation (not only a team), and finds a person by full name, first name, surname alone, hyphenated
parts ("Okafor-Ndiaye", "Jean-Luc") and with or without accents ("Zoë", "Zoe"). A run of name words
("Amara Okafor", "Amara-Okafor") is replaced whole, so no half name is left beside a pseudonym.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# First names and surnames that are also everyday words (and any of two letters): matched only when written
# with a capital, so "I will try" keeps its verb while "Will said" loses the name.
_EVERYDAY = frozenset("""
will may mark bill art dawn faith grace hope joy rose sunny max guy pat rob jack frank case long young king
page brown white green black fox summer june april august ray gay rich wood hill lane park bell cook baker
""".split())
# A word of a name: letters, with an inner apostrophe ("O'Brien") but not a possessive ("Sofia's").
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]{2,})*")


def fold(text: str) -> str:
    """`text` with accents dropped, character for character (same length, so spans map back)."""
    out = []
    for char in text:
        base = "".join(part for part in unicodedata.normalize("NFKD", char) if not unicodedata.combining(part))
        out.append(base if len(base) == 1 else char)
    return "".join(out)


def name_words(display_name: str) -> list[str]:
    """The words a person may be called by: each part of the name, and each half of a hyphenated part."""
    words: list[str] = []
    for part in re.findall(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", unicodedata.normalize("NFC", display_name)):
        for word in [part, *re.split(r"-", part)]:
            if len(word) >= 2 and word not in words:
                words.append(word)
    return words


@dataclass(frozen=True)
class Person:
    id: int
    name: str


class NameMatcher:
    """Replaces every mention of the given people in a text; `label(person_id)` says what stands in.

    Text is read word by word against a dictionary of name words (no pattern grows with the organisation):
    a run of name words joined by a space or a hyphen is one mention, and so is an unknown word glued to
    a name by a hyphen ("Smith-Okafor").
    """

    def __init__(self, people: Iterable[Person]):
        self.people = list(people)
        self._full: dict[str, list[int]] = {}
        self._owners: dict[str, list[int]] = {}
        for person in sorted(self.people, key=lambda person: person.id):
            self._full.setdefault(_key(person.name), []).append(person.id)
            for word in name_words(person.name):
                for part in _TOKEN.findall(fold(word)):
                    owners = self._owners.setdefault(part.casefold(), [])
                    if person.id not in owners:
                        owners.append(person.id)

    def replace(self, text: str | None, label: Callable[[int], str | None],
                priority: Callable[[int], int] = lambda person_id: 0) -> str | None:
        """`text` with each mention replaced by label(person id); a person whose label is None stays named.
        A word several people share goes to the one with the lowest `priority` (then the lowest id)."""
        if not text or not self._owners:
            return text
        text = unicodedata.normalize("NFC", text)
        folded = fold(text)
        tokens = [(match.start(), match.end(), match.group(0).casefold()) for match in _TOKEN.finditer(folded)]
        pieces, last, index = [], 0, 0
        while index < len(tokens):
            if tokens[index][2] not in self._owners:
                index += 1
                continue
            first = index
            while (index + 1 < len(tokens) and tokens[index + 1][2] in self._owners
                   and folded[tokens[index][1]:tokens[index + 1][0]] in (" ", "\t", "-")):
                index += 1
            words = [token[2] for token in tokens[first:index + 1]]
            start, end = tokens[first][0], tokens[index][1]
            while first > 0 and folded[tokens[first - 1][1]:start] == "-" and tokens[first - 1][0] >= last:
                first -= 1
                start = tokens[first][0]
            while index + 1 < len(tokens) and folded[end:tokens[index + 1][0]] == "-":
                index += 1
                end = tokens[index][1]
            index += 1
            person_id = self._person(words, text[start:end], priority)
            stand_in = label(person_id) if person_id is not None else None
            if stand_in is not None:
                pieces += [text[last:start], stand_in]
                last = end
        return "".join(pieces + [text[last:]])

    def _person(self, words: list[str], original: str, priority: Callable[[int], int]) -> int | None:
        if len(words) == 1 and (words[0] in _EVERYDAY or len(words[0]) <= 2) and not original[:1].isupper():
            return None
        candidates = self._full.get(" ".join(words)) or self._owners[words[0]]
        return min(candidates, key=lambda person_id: (priority(person_id), person_id))


def _key(name: str) -> str:
    return " ".join(word for word in re.split(r"[\s-]+", fold(unicodedata.normalize("NFC", name)).casefold()) if word)


class Pseudonymiser:
    """Names -> "Participant N" (the team and the authors) or "Colleague N" (everyone else), and back.

    Numbers follow user ids, so the same person has the same pseudonym in every call about a team.
    """

    PATTERN = re.compile(r"\b(Participant|Colleague) (\d+)\b")

    def __init__(self, people: Iterable[Person], team_ids: set[int], matcher: NameMatcher | None = None):
        people = sorted(people, key=lambda person: person.id)
        self.pseudonym: dict[int, str] = {}
        inside = [person for person in people if person.id in team_ids]
        outside = [person for person in people if person.id not in team_ids]
        for number, person in enumerate(inside, 1):
            self.pseudonym[person.id] = f"Participant {number}"
        for number, person in enumerate(outside, 1):
            self.pseudonym[person.id] = f"Colleague {number}"
        self.names = {self.pseudonym[person.id]: person.name for person in people}
        self.matcher = matcher or NameMatcher(people)
        self._priority = lambda person_id: 0 if person_id in team_ids else 1  # a teammate before a namesake

    def __call__(self, text: str | None) -> str | None:
        return self.matcher.replace(text, self.pseudonym.get, self._priority)

    def restore(self, text: str, unknown: str = "a teammate") -> str:
        """Pseudonyms a model kept, mapped back to people's names (the team's audience sees names)."""
        return self.PATTERN.sub(lambda match: self.names.get(match.group(0), unknown), text)


def hide_names(matcher: NameMatcher, text: str, shown: set[int], stand_in: str = "a colleague") -> str:
    """`text` for readers outside the team: every person not in `shown` (who agreed) becomes `stand_in`."""
    return matcher.replace(text, lambda person_id: None if person_id in shown else stand_in) or ""
