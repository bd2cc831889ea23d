"""What a writer is asked for and what it must return: the shared shapes of both writers, checked in code.

The OpenAI writer (workers.llm) and the offline writer (workers.offline_writer) take the same requests
and return the same validated shapes, so the jobs never care which one wrote.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

SECTIONS = ("key_lessons", "practices", "mistakes", "open_questions", "next_experiments")
# The limits the prompts state; tests/llm/test_prompts.py keeps the templates' text in step with them.
MAX_ITEMS = 5
QUESTION_MAX_CHARS = 240
LESSON_MAX_CHARS = 300
QUOTE_MAX_CHARS = 150
GUIDANCE_MAX_CHARS = 1000  # as the review form allows (webapp.summaries.transitions.GUIDANCE_MAX)


class PromptDraft(BaseModel):
    """A reflection prompt in three questions: what happened, so what, now what."""

    model_config = ConfigDict(extra="forbid")
    what_happened: str = Field(min_length=5, max_length=QUESTION_MAX_CHARS)
    so_what: str = Field(min_length=5, max_length=QUESTION_MAX_CHARS)
    now_what: str = Field(min_length=5, max_length=QUESTION_MAX_CHARS)

    def as_markdown(self) -> str:
        return (f"**What happened?** {self.what_happened}\n\n**So what?** {self.so_what}\n\n"
                f"**Now what?** {self.now_what}")


class LessonItem(BaseModel):
    """One lesson, the reflections it comes from, and a few words copied from one of them that show it."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=3, max_length=LESSON_MAX_CHARS)
    citations: list[int] = Field(min_length=1, max_length=50)
    quote: str = Field(min_length=3, max_length=QUOTE_MAX_CHARS)


class SummaryContent(BaseModel):
    """The five lists of a team's lessons; each item cites the reflections it comes from."""

    model_config = ConfigDict(extra="forbid")
    key_lessons: list[LessonItem] = Field(max_length=MAX_ITEMS)
    practices: list[LessonItem] = Field(max_length=MAX_ITEMS)
    mistakes: list[LessonItem] = Field(max_length=MAX_ITEMS)
    open_questions: list[LessonItem] = Field(max_length=MAX_ITEMS)
    next_experiments: list[LessonItem] = Field(max_length=MAX_ITEMS)

    def cited_ids(self) -> set[int]:
        return {ref for section in SECTIONS for item in getattr(self, section) for ref in item.citations}


@dataclass(frozen=True)
class PromptRequest:
    """What a reflection prompt is written from (names never included)."""

    work_key: str
    challenge_title: str
    mission_titles: list[str]  # what the prompt is about: one mission, or the period's missions
    mission_kinds: list[str]
    evidence: list[str]  # pseudonymised
    history: list[dict]  # earlier completions of the participant: {"mission", "kind", "days_ago"}
    reflections_written: int
    period: str | None = None  # "2026-11-27" / "2026-W48" for cadence prompts
    previous_reflections: list[dict] = field(default_factory=list)  # {"mission", "text"}, pseudonymised, newest first


@dataclass(frozen=True)
class SummaryRequest:
    """Material for one summary call: team-shared reflections (pseudonymised) or partial summaries to merge."""

    work_key: str
    challenge_title: str
    reflections: list[dict] = field(default_factory=list)  # {"id", "author", "mission", "kind", "text", "evidence"}
    partials: list[dict] = field(default_factory=list)  # SummaryContent dumps, for a merge
    guidance: str | None = None
    feedback: str | None = None  # the error of the previous attempt, for the one retry
    sources: dict[int, str] = field(default_factory=dict)  # for a merge: reflection id -> its text, to check quotes

    @property
    def template_name(self) -> str:
        return "summary_merge" if self.partials else "team_summary"

    def allowed_ids(self) -> set[int]:
        if self.partials:
            return {ref for part in self.partials for section in SECTIONS for item in part.get(section, [])
                    for ref in item["citations"]}
        return {item["id"] for item in self.reflections}

    def source_texts(self) -> dict[int, str]:
        """Reflection id -> the text a quote citing it must come from."""
        if self.partials:
            return self.sources
        return {item["id"]: " ".join(filter(None, [item.get("text"), item.get("evidence")])) for item in self.reflections}


class WriterError(Exception):
    """A writer could not produce output this time; the job is retried with backoff."""

    plain = "The AI writer did not give a usable answer. You can ask for it again."


class QuotaExhausted(WriterError):
    """The LLM account's quota is used up (429 `insufficient_quota`): waiting never helps, the job fails at once."""

    retryable = False
    plain = "The AI service refused: its account has run out of quota. An admin has been told."


class InvalidOutput(WriterError):
    """The output broke the schema or the citation rule; the message says how (it is fed back once)."""


class RetryLater(WriterError):
    """The server asked us to wait (429 with Retry-After): reschedule the job after `seconds`."""

    def __init__(self, seconds: float, message: str = "rate limited"):
        super().__init__(f"{message}; retry after {seconds:.0f} s")
        self.seconds = seconds


@dataclass
class CallRecord:
    """One writer call, as the LlmCall table stores it."""

    work_key: str | None
    template_name: str
    template_version: str
    model: str
    tokens_in: int = 0
    tokens_out: int = 0
    latency_ms: int = 0
    outcome: str = "ok"  # ok, invalid, error, timeout, rate_limited, quota
    error: str | None = None
    request_id: str | None = None
    status_code: int | None = None  # HTTP status of the attempt; None when no answer came


CallLog = Callable[[CallRecord], None]


def to_json(value) -> str:
    """JSON as sent to the model: '<' is escaped (still valid JSON) so no text can close the <data> tag."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


def data_block(payload: dict) -> str:
    """User text as delimited data: JSON between <data> tags."""
    return "<data>\n" + to_json(payload) + "\n</data>"


def check_citations(content: SummaryContent, allowed: set[int], sources: dict[int, str] | None = None) -> None:
    """Raises InvalidOutput naming the ids cited that were not given, or the lessons whose quote is in none
    of the reflections they cite (an id that exists is not yet a source that supports the lesson)."""
    unknown = sorted(content.cited_ids() - allowed)
    if unknown:
        raise InvalidOutput(f"citations {unknown} are not ids of the reflections given; cite only {sorted(allowed)[:50]}")
    if sources is None:
        return
    unsupported = [f"{section}[{index}]" for section in SECTIONS for index, item in enumerate(getattr(content, section))
                   if not quote_supports(item.quote, [sources.get(ref, "") for ref in item.citations])]
    if unsupported:
        raise InvalidOutput(f"the quotes of {', '.join(unsupported[:10])} are not found in the reflections they cite; "
                            "copy the quote word for word from a cited reflection")


def _plain(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def quote_supports(quote: str, texts: list[str]) -> bool:
    """True when `quote` appears word for word (ignoring case, punctuation and spacing) in one of `texts`;
    quotation marks and ellipses around it are punctuation, so they need no stripping of their own."""
    wanted = _plain(quote)
    return bool(wanted) and any(wanted in _plain(text) for text in texts)


FEEDBACK_MAX_CHARS = 600


def prompt_payload(request: PromptRequest) -> dict:
    return {
        "task": "reflection_prompt",
        "challenge": request.challenge_title,
        "period": request.period,
        "missions_just_completed": [{"title": title, "kind": kind}
                                    for title, kind in zip(request.mission_titles, request.mission_kinds)],
        "evidence": request.evidence,
        "earlier_missions": request.history,
        "reflections_written_so_far": request.reflections_written,
        "previous_reflections": request.previous_reflections,
    }


def summary_payload(request: SummaryRequest) -> dict:
    if request.partials:
        # Each item says how many reflections support it; the sources it cites are shown in short, so the
        # merge can tell items that say the same thing from items that only sound alike.
        partials = [{section: [{**item, "support": len(item["citations"])} for item in part.get(section, [])]
                     for section in SECTIONS} for part in request.partials]
        sources = [{"id": ref, "excerpt": excerpt(request.sources[ref])}
                   for ref in shown_sources(request.partials) if ref in request.sources]
        return {"task": "summary_merge", "challenge": request.challenge_title, "partial_summaries": partials,
                "sources": sources}
    return {"task": "team_summary", "challenge": request.challenge_title, "reflections": request.reflections}


SOURCE_EXCERPT_CHARS = 160
SOURCES_PER_ITEM = 2  # a merged item may cite dozens: its first sources are enough to tell what it rests on


def shown_sources(partials: list[dict]) -> list[int]:
    """The reflection ids whose excerpts a merge call shows: the first few of each item, in order."""
    return list(dict.fromkeys(ref for part in partials for section in SECTIONS for item in part.get(section, [])
                              for ref in item["citations"][:SOURCES_PER_ITEM]))


def excerpt(text: str, limit: int = SOURCE_EXCERPT_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit].rsplit(" ", 1)[0] + " …"


def build_messages(instructions: str, payload: dict, guidance: str | None = None,
                   feedback: str | None = None) -> list[dict]:
    """Instructions in the system message (they outrank the user's); people's text only as data in the user message.

    The lead's guidance is an instruction of the person reviewing the summary, not a participant's text: it
    gets its own labelled place among the instructions (length-limited, and still unable to lift the rules).
    """
    system = instructions
    if guidance:
        system += ("\n\nGuidance from the team lead who reviews this summary. Follow it where it is about what to "
                   "emphasise, leave out or rephrase; the rules above still apply and win over it:\n"
                   "<lead_guidance>\n" + guidance[:GUIDANCE_MAX_CHARS].replace("<", "‹") + "\n</lead_guidance>")
    if feedback:
        system += ("\n\nYour previous answer was rejected for this reason; answer again and fix it:\n"
                   + feedback[:FEEDBACK_MAX_CHARS])
    return [{"role": "system", "content": system}, {"role": "user", "content": data_block(payload)}]


def messages_tokens(messages: list[dict]) -> int:
    from .tokens import count

    # The chat format adds a few tokens per message (role, separators) and 3 to prime the answer.
    return sum(count(message["content"]) + 4 for message in messages) + 3
