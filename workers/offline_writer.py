"""The writer used without an API key: deterministic, labelled "offline", and still useful.

Prompts are built from the mission, its kind and the participant's history; summaries pick the strongest
sentences of the team's shared reflections, group the ones that say the same thing, and cite them.
"""
from __future__ import annotations

import re
import time

from prompts import load

from .writing import (
    MAX_ITEMS, SECTIONS, CallLog, CallRecord, LessonItem, PromptDraft, PromptRequest, SummaryContent,
    SummaryRequest, build_messages, messages_tokens, prompt_payload, summary_payload,
)

NAME = "offline"

_NEXT_STEP = {
    "learn": "Where will you use what you learned in the next few days, and how will you know it stuck?",
    "share": "Who else would benefit from this, and how could you share it with them next?",
    "experiment": "What will you try differently next time, and what small experiment would test it?",
    "help": "What would make helping a teammate like this easier next time, for you and for them?",
    "feedback": "What will you do with the feedback you gave or received, and when will you check back?",
}
_MEANING = {
    "learn": "What surprised you, or changed how you see your work?",
    "share": "What did you notice about what others already knew, or didn't?",
    "experiment": "What did the result (or the mistake) teach you that you would not have learned otherwise?",
    "help": "What did you learn about the problem, or about teaching it, while helping?",
    "feedback": "What did the feedback reveal that you had not seen yourself?",
}

# Cue words decide which list a sentence belongs to; the first matching list wins.
_CUES = [
    ("open_questions", re.compile(r"\?\s*$|\b(wonder|not sure|unclear|don't know|do not know)\b", re.I)),
    ("mistakes", re.compile(r"\b(mistake|wrong|fail\w*|broke|bug|oops|forgot|missed|error)\b", re.I)),
    ("next_experiments", re.compile(r"\b(next time|will try|plan to|going to|want to try|experiment|next week)\b", re.I)),
    ("practices", re.compile(r"\b(worked|works|helped|useful|habit|practice|routine|checklist|pair\w*)\b", re.I)),
    ("key_lessons", re.compile(r"\b(learn\w*|realis\w*|realiz\w*|lesson|understood|discover\w*|insight|noticed)\b", re.I)),
]
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


class OfflineWriter:
    """Writes prompts and summaries without a model; `name` labels what it wrote."""

    name = NAME

    def __init__(self, call_log: CallLog | None = None):
        self.call_log = call_log

    def reflection_prompt(self, request: PromptRequest) -> PromptDraft:
        started = time.perf_counter()
        kind = request.mission_kinds[0] if request.mission_kinds else "learn"
        if len(request.mission_titles) == 1:
            what = f"You completed “{request.mission_titles[0]}”. What did you do, step by step, and what did you notice?"
        else:
            titles = ", ".join(f"“{title}”" for title in request.mission_titles[:4])
            what = f"You completed {titles}. Which one stood out, and what exactly happened?"
        same_kind = [entry for entry in request.history if entry["kind"] == kind]
        so_what = _MEANING.get(kind, _MEANING["learn"])
        if same_kind:
            so_what = f"Compared with “{same_kind[0]['mission']}” earlier, what went differently? " + so_what
        now_what = _NEXT_STEP.get(kind, _NEXT_STEP["learn"])
        if request.reflections_written == 0:
            now_what += " (Your first reflection: a few honest sentences are enough.)"
        draft = PromptDraft(what_happened=what[:400], so_what=so_what[:400], now_what=now_what[:400])
        self._log("reflection_prompt", request.work_key, prompt_payload(request), draft, started)
        return draft

    def summarise(self, request: SummaryRequest) -> SummaryContent:
        started = time.perf_counter()
        candidates: list[tuple[str, str, int]] = []  # (section, sentence, reflection id)
        if request.partials:
            for part in request.partials:
                for section in SECTIONS:
                    for item in part.get(section, []):
                        for ref in item["citations"]:
                            candidates.append((section, item["text"], ref))
        else:
            for reflection in request.reflections:
                for sentence in _sentences(reflection["text"]):
                    section = _section_of(sentence)
                    if section:
                        candidates.append((section, sentence, reflection["id"]))
        content = SummaryContent(**{section: _strongest(candidates, section) for section in SECTIONS})
        self._log(request.template_name, request.work_key, summary_payload(request), content, started)
        return content

    def _log(self, template_name: str, work_key: str, payload: dict, output, started: float) -> None:
        if self.call_log is None:
            return
        template = load(template_name)
        self.call_log(CallRecord(
            work_key=work_key, template_name=template.name, template_version=template.version, model=NAME,
            tokens_in=messages_tokens(build_messages(template.instructions, payload)),
            tokens_out=messages_tokens([{"content": output.model_dump_json()}]),
            latency_ms=int((time.perf_counter() - started) * 1000),
        ))


def _sentences(text: str) -> list[str]:
    return [part.strip(" -*•\t") for part in _SENTENCE.split(text) if 20 <= len(part.strip()) <= 300]


def _section_of(sentence: str) -> str | None:
    for section, cue in _CUES:
        if cue.search(sentence):
            return section
    return None


def _normalised(sentence: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", sentence.lower()))


def _strongest(candidates: list[tuple[str, str, int]], section: str) -> list[LessonItem]:
    """Group sentences that say the same thing; the ones most often said (then the longest) come first."""
    groups: dict[str, dict] = {}
    for cand_section, sentence, ref in candidates:
        if cand_section != section:
            continue
        group = groups.setdefault(_normalised(sentence), {"text": sentence, "citations": []})
        if ref not in group["citations"]:
            group["citations"].append(ref)
    ranked = sorted(groups.values(), key=lambda group: (-len(group["citations"]), -len(group["text"]), group["text"]))
    return [LessonItem(text=group["text"][:400], citations=sorted(group["citations"])[:50]) for group in ranked[:MAX_ITEMS]]
