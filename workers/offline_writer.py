"""The writer used without an API key: deterministic, labelled "offline", and still useful.

Prompts are built from the mission, its kind, the participant's history and their last reflection.
Summaries consider every shared reflection: related reflections are grouped (TF-IDF cosine, see
`workers.lessons`), each group gives the sentence that carries its lesson, and sentences are filed as worked /
mistake / next step / open question by cues read with their negation and context ("nothing broke" is
not a mistake). Every summary of at least one reflection has a key lesson.
"""
from __future__ import annotations

import time

from prompts import load

from . import lessons
from .writing import (
    QUESTION_MAX_CHARS, CallLog, CallRecord, PromptDraft, PromptRequest, SummaryContent,
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
        if request.previous_reflections:
            # Pick up the participant's own last thread rather than start from nothing.
            now_what = "Look back at your last reflection: what have you tried since? " + now_what
        elif request.reflections_written == 0:
            now_what += " (Your first reflection: a few honest sentences are enough.)"
        draft = PromptDraft(what_happened=_cut(what), so_what=_cut(so_what), now_what=_cut(now_what))
        self._log("reflection_prompt", request.work_key, prompt_payload(request), draft, started)
        return draft

    def summarise(self, request: SummaryRequest) -> SummaryContent:
        started = time.perf_counter()
        if request.partials:
            content = lessons.merge(request.partials)
        else:
            content = lessons.summarise(request.reflections)
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


def _cut(text: str, limit: int = QUESTION_MAX_CHARS) -> str:
    return text if len(text) <= limit else text[:limit - 1].rsplit(" ", 1)[0] + "…"

