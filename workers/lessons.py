"""Finding a team's lessons without a model: the offline writer's summaries and merges.

Every sentence of every shared reflection is considered. Sentences that say the same thing are grouped by
TF-IDF cosine similarity (plain word counts weighted by rarity, no model to download); a group's support is
the number of reflections it comes from, and its lesson is the sentence closest to the group's centre
(a sentence saying "I learned", "the trick is" is preferred). Each sentence is filed by cues read with
their context: a negated cue turns over ("nothing broke" is no mistake, "it did not work" is one), and a
mistake that was caught or avoided counts as what worked.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from webapp.names import fold

from .writing import LESSON_MAX_CHARS, MAX_ITEMS, QUOTE_MAX_CHARS, SECTIONS, LessonItem, SummaryContent

# Sentences at least this similar (cosine of TF-IDF vectors) say the same thing. Tuned on the tuning
# half of tests/evaluation and checked on the held-out half.
SAME_LESSON = 0.3
SAME_MERGED_ITEM = 0.45

_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
# A sentence that starts by pointing back ("It caught a leak") is read with the one before it.
_POINTS_BACK = re.compile(r"^(it|this|that|they|these|those|he|she|then|so|which)\b", re.I)
# How much of its reflection's words a sentence carries when sentences are compared.
CONTEXT_WEIGHT = 0.3
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_STOP = frozenset("""
a about above after again all also am an and any are as at be because been before being below between both but by
can could did do does doing down during each few for from further had has have having he her here hers him his how
i if in into is it its itself just me more most my myself of off on once only or other our ours out over own same
she should so some such than that the their theirs them then there these they this those through to too under
until up very was we were what when where which while who whom why will with would you your yours yourself
participant participants colleague colleagues one two three really much got get us let lets i'm we're it's that's
""".split())

_NEGATORS = frozenset("not no never nothing without none nobody neither nor hardly barely zero".split())
_PREVENTED = frozenset("caught catch catches prevent prevented prevents avoid avoided avoids before stopped spotted "
                       "instead saved flagged blocked".split())

_CUES = {
    "success": re.compile(
        r"\b(work(s|ed)?|help(s|ed|ful)?|sav(e|ed|es)|useful|paid off|went well|smooth\w*|success\w*|fix(ed)?|"
        r"solv(ed|es)|improv(ed|es)|better|faster|easier|clearer|effective|great|calm(er)?|good)\b"),
    "mistake": re.compile(
        r"\b(mistakes?|wrong|forg(o|e)t\w*|miss(ed|ing)|broke|broken|break(s|ing)?|fail(ed|s|ure|ing)?|bugs?|errors?|"
        r"oops|should have|shouldn't have|too late|underestimat\w*|overlook\w*|skipp(ed|ing)|lost|confus\w*|"
        r"slipp(ed)?|outages?|wasted?|mess(ed)?|blam\w*|regret\w*)\b"),
    "next": re.compile(
        r"\b(next (time|week|sprint|month|release|step)|will try|'ll try|plan(ning)? to|going to|want to try|"
        r"from now on|tomorrow|will (start|add|ask|run|keep|write|use|move|set|put|make|book|share|pair|test|"
        r"automate|schedule|check|bring)|we'll|i'll|let's try|intend to|i want to|we want to)\b"),
    "question": re.compile(r"\?(\s|$)|\b(wonder\w*|not sure|unclear|don't know|do not know|open question|still unsure|"
                           r"no idea)\b"),
    "lesson": re.compile(
        r"\b(learn(ed|t)|realis(ed|e)|realiz(ed|e)|lessons?|turn(s|ed) out|the key|the trick|matters?|insight|"
        r"understood|discover(ed)?|noticed|takeaway|taught|now i know|important|lesson learned)\b"),
}
_SECTION_OF_KIND = {"success": "practices", "mistake": "mistakes", "next": "next_experiments",
                    "question": "open_questions"}


@dataclass
class Sentence:
    ref: int
    text: str
    kind: str | None  # success, mistake, next, question, or None (a statement)
    lesson_cue: bool
    vector: dict[str, float] = field(default_factory=dict)


def sentences_of(text: str) -> list[str]:
    """The sentences of a reflection worth filing (the whole text, cut, when it has none of a usable length)."""
    parts: list[str] = []
    for part in (part.strip(" -*•\t\"“”") for part in _SENTENCE.split(text or "")):
        if parts and _POINTS_BACK.match(part) and len(parts[-1]) + len(part) < LESSON_MAX_CHARS:
            parts[-1] = f"{parts[-1]} {part}"
        elif part:
            parts.append(part)
    usable = [part for part in parts if 15 <= len(part) <= 400 and len(_words(part)) >= 3]
    if usable:
        return usable
    whole = " ".join((text or "").split())
    return [whole[:400]] if len(whole) >= 3 else []


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text).lower().replace("’", "'"))


def _stem(word: str) -> str:
    """A crude stem that is good enough for grouping: the first six letters ("rotating", "rotation" -> "rotati")."""
    return word[:6]


def terms(text: str) -> list[str]:
    return [_stem(word) for word in _words(text) if word not in _STOP and len(word) > 2 and not word.isdigit()]


def classify(sentence: str) -> tuple[str | None, bool]:
    """(kind, says-a-lesson) of one sentence: cues read with the few words before them."""
    lowered = fold(sentence).lower().replace("’", "'")
    lesson = bool(_CUES["lesson"].search(lowered))
    if _CUES["question"].search(lowered):
        return "question", lesson
    if _CUES["next"].search(lowered) and not re.search(r"\b(last time|went well|worked)\b", lowered):
        return "next", lesson
    score = {"success": 0.0, "mistake": 0.0}
    for kind in ("success", "mistake"):
        for match in _CUES[kind].finditer(lowered):
            before = _WORD.findall(lowered[max(0, match.start() - 40):match.start()])[-4:]
            negated = any(word in _NEGATORS or word.endswith("n't") for word in before)
            prevented = kind == "mistake" and any(word in _PREVENTED for word in before)
            if negated or prevented:
                # "nothing broke", "caught the bug before": a success; "did not work": a mistake.
                score["success" if kind == "mistake" else "mistake"] += 1
            else:
                score[kind] += 1
    if score["mistake"] > score["success"]:
        return "mistake", lesson
    if score["success"] > 0:
        return "success", lesson
    return None, lesson


def _tfidf(documents: list[list[str]]) -> list[dict[str, float]]:
    """Unit TF-IDF vectors. A word found in one document only is left out: it cannot make two documents
    alike, and in short texts it would only drown the words they share."""
    frequency = Counter(term for document in documents for term in set(document))
    total = len(documents)
    vectors = []
    for document in documents:
        counts = Counter(document)
        vector = {term: (1 + math.log(count)) * math.log((1 + total) / frequency[term])
                  for term, count in counts.items() if frequency[term] > 1 or total == 1}
        norm = math.sqrt(sum(value * value for value in vector.values())) or 1.0
        vectors.append({term: value / norm for term, value in vector.items()})
    return vectors


def cosine(one: dict[str, float], other: dict[str, float]) -> float:
    if len(one) > len(other):
        one, other = other, one
    return sum(value * other.get(term, 0.0) for term, value in one.items())


def _normalised(vector: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(value * value for value in vector.values())) or 1.0
    return {term: value / norm for term, value in vector.items()}


@dataclass
class Group:
    members: list[Sentence]
    centre: dict[str, float]

    @property
    def refs(self) -> list[int]:
        return sorted({member.ref for member in self.members})

    def add(self, sentence: Sentence) -> None:
        self.members.append(sentence)
        total = Counter()
        for member in self.members:
            total.update(member.vector)
        self.centre = _normalised(dict(total))

    def kind(self) -> str | None:
        votes = Counter(member.kind for member in self.members if member.kind)
        return votes.most_common(1)[0][0] if votes else None

    def lesson(self) -> Sentence:
        """The sentence closest to the group's centre; one that says it is a lesson, or fits the group's kind, first."""
        kind = self.kind()
        return max(self.members, key=lambda member: (cosine(member.vector, self.centre) + 0.15 * member.lesson_cue
                                                     + 0.1 * (member.kind == kind) - 0.001 * len(member.text) / 100))


def group(sentences: list[Sentence], threshold: float | None = None) -> list[Group]:
    """Sentences that say the same thing, greedily: each joins the most similar group, or starts one."""
    threshold = SAME_LESSON if threshold is None else threshold
    groups: list[Group] = []
    for sentence in sentences:
        best, best_score = None, threshold
        for candidate in groups:
            score = cosine(sentence.vector, candidate.centre)
            if score >= best_score:
                best, best_score = candidate, score
        if best is None:
            groups.append(Group([sentence], dict(sentence.vector)))
        else:
            best.add(sentence)
    return groups


def _item(text: str, refs: list[int], quote: str) -> LessonItem:
    return LessonItem(text=_cut(text, LESSON_MAX_CHARS), citations=refs[:50], quote=_cut(quote, QUOTE_MAX_CHARS, mark=""))


def _cut(text: str, limit: int, mark: str = "…") -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit - len(mark)].rsplit(" ", 1)[0] + mark


def summarise(reflections: list[dict]) -> SummaryContent:
    """The five lists from team reflections ({"id", "text", ...}); a key lesson whenever there is a reflection."""
    sentences = [Sentence(reflection["id"], text, *classify(text))
                 for reflection in reflections for text in sentences_of(reflection.get("text") or "")]
    if not sentences:
        return SummaryContent(**{section: [] for section in SECTIONS})
    by_reflection = {reflection["id"]: terms(reflection.get("text") or "") for reflection in reflections}
    own = _tfidf([terms(sentence.text) for sentence in sentences])
    context = _tfidf([by_reflection[sentence.ref] for sentence in sentences])
    for sentence, vector, around in zip(sentences, own, context):
        mixed = dict(vector)
        for term, value in around.items():
            mixed[term] = mixed.get(term, 0.0) + CONTEXT_WEIGHT * value
        sentence.vector = _normalised(mixed)
    groups = group(sentences)
    # Strongest first: most reflections, then a stated lesson, then the earliest said.
    groups.sort(key=lambda found: (-len(found.refs), -any(m.lesson_cue for m in found.members), found.refs[0]))
    lists: dict[str, list[LessonItem]] = {section: [] for section in SECTIONS}
    for found in groups:
        # One topic can hold what worked, what went wrong and what to try next: each goes to its own list,
        # citing only the reflections that said it.
        for kind, section in _SECTION_OF_KIND.items():
            said = [member for member in found.members if member.kind == kind]
            if said:
                best = Group(said, found.centre).lesson()
                lists[section].append(_item(best.text, sorted({member.ref for member in said}), best.text))
        if len(found.refs) > 1 or any(member.lesson_cue for member in found.members):
            lesson = found.lesson()
            lists["key_lessons"].append(_item(lesson.text, found.refs, lesson.text))
    # Every reflection is heard: one whose words no item carries yet gives its most lesson-like sentence.
    carried = {sentence.ref for sentence in sentences
               if any(sentence.text[:LESSON_MAX_CHARS - 1] in item.text or item.text.rstrip("…") in sentence.text
                      for items in lists.values() for item in items)}
    for ref in dict.fromkeys(sentence.ref for sentence in sentences):
        if ref not in carried:
            own = [sentence for sentence in sentences if sentence.ref == ref]
            best = max(own, key=lambda sentence: (sentence.lesson_cue, sentence.kind is not None, len(sentence.text)))
            lists["key_lessons"].append(_item(best.text, [ref], best.text))
    for section in SECTIONS:
        lists[section].sort(key=lambda item: -len(item.citations))  # stable: ties keep the groups' order
    if not lists["key_lessons"]:
        # Always a key lesson: the strongest group's, whatever list it also sits in.
        lesson = groups[0].lesson()
        lists["key_lessons"] = [_item(lesson.text, groups[0].refs, lesson.text)]
    return SummaryContent(**{section: items[:MAX_ITEMS] for section, items in lists.items()})


def _is_lesson(text: str) -> bool:
    return bool(_CUES["lesson"].search(fold(text).lower()))


def merge(partials: list[dict]) -> SummaryContent:
    """Partial summaries as one: items that say the same thing join (citations united), ranked by support."""
    lists: dict[str, list[LessonItem]] = {}
    for section in SECTIONS:
        items = [LessonItem.model_validate({key: value for key, value in item.items() if key != "support"})
                 for part in partials for item in part.get(section, [])]
        if not items:
            lists[section] = []
            continue
        vectors = _tfidf([terms(item.text) for item in items])
        merged: list[tuple[LessonItem, dict[str, float], set[int]]] = []
        for item, vector in zip(items, vectors):
            match = next((entry for entry in merged if cosine(vector, entry[1]) >= SAME_MERGED_ITEM), None)
            if match is None:
                merged.append((item, vector, set(item.citations)))
            else:
                match[2].update(item.citations)
        ranked = sorted(merged, key=lambda entry: -len(entry[2]))
        lists[section] = [LessonItem(text=item.text, citations=sorted(refs)[:50], quote=item.quote)
                          for item, _, refs in ranked[:MAX_ITEMS]]
    if not lists["key_lessons"]:
        strongest = max((items[0] for items in lists.values() if items), key=lambda item: len(item.citations),
                        default=None)
        if strongest is not None:
            lists["key_lessons"] = [strongest]
    return SummaryContent(**lists)
