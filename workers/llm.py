"""The OpenAI writer (the only module that imports `openai`), and `writer_for(settings)` choosing a writer.

It speaks to OpenAI or any OpenAI-compatible server through the official SDK and its standard settings
(OPENAI_API_KEY, OPENAI_BASE_URL) plus OPENAI_MODEL. Output is structured (json_schema through
`chat.completions.parse`; JSON mode plus our own validation for servers without json_schema) and
validated against the pydantic schema in code. The SDK retries short waits itself; a 429 whose
Retry-After is beyond what it honours becomes RetryLater, and the job reschedules itself.
"""
from __future__ import annotations

import functools
import json
import logging
import threading
import time

import openai
from pydantic import BaseModel, ValidationError

from prompts import load
from webapp.settings import Settings

from .offline_writer import OfflineWriter
from .writing import (
    CallLog, CallRecord, InvalidOutput, PromptDraft, PromptRequest, RetryLater, SummaryContent, SummaryRequest,
    WriterError, build_messages, check_citations, prompt_payload, summary_payload,
)

log = logging.getLogger(__name__)

MAX_OUTPUT_TOKENS = 1500
# A 429 without Retry-After still deserves a pause before the job runs again.
DEFAULT_RATE_LIMIT_WAIT = 30.0

# Base URLs found not to support json_schema: later calls go straight to JSON mode.
_json_mode_only: set[str] = set()
_lock = threading.Lock()


class OpenAIWriter:
    def __init__(self, settings: Settings, call_log: CallLog | None = None):
        self.model = settings.openai_model
        self.name = settings.openai_model
        self.call_log = call_log
        self.client = _client(
            settings.openai_api_key.get_secret_value() if settings.openai_api_key else None,
            settings.openai_base_url, settings.llm_timeout_seconds, settings.llm_max_retries,
        )
        self._server = str(self.client.base_url)

    def reflection_prompt(self, request: PromptRequest) -> PromptDraft:
        template = load("reflection_prompt")
        messages = build_messages(template.instructions, prompt_payload(request))
        return self._structured(template, request.work_key, messages, PromptDraft)

    def summarise(self, request: SummaryRequest) -> SummaryContent:
        """The summary for `request`; raises InvalidOutput when it breaks the schema or cites an id not given."""
        template = load(request.template_name)
        messages = build_messages(template.instructions, summary_payload(request), request.guidance, request.feedback)
        record = CallRecord(request.work_key, template.name, template.version, self.model)
        content = self._structured(template, request.work_key, messages, SummaryContent, record=record)
        try:
            check_citations(content, request.allowed_ids(), request.source_texts())
        except InvalidOutput as error:
            record.outcome, record.error = "invalid", str(error)
            self._log(record)
            raise
        self._log(record)
        return content

    def _structured(self, template, work_key, messages, schema: type[BaseModel], record: CallRecord | None = None):
        """One call returning a validated `schema`. `record` given: the caller logs it (after its own checks)."""
        own_record = record is None
        record = record or CallRecord(work_key, template.name, template.version, self.model)
        started = time.perf_counter()
        try:
            result = self._ask(messages, schema, record, template.temperature)
        except InvalidOutput as error:
            record.outcome, record.error = "invalid", str(error)
            self._log(record)
            raise
        except openai.RateLimitError as error:
            wait = _retry_after(error) or DEFAULT_RATE_LIMIT_WAIT
            record.outcome, record.error, record.request_id = "rate_limited", _short(error), error.request_id
            self._log(record)
            raise RetryLater(wait, "the LLM server is rate limiting") from error
        except openai.APIStatusError as error:
            record.outcome, record.error, record.request_id = "error", _short(error), error.request_id
            self._log(record)
            raise WriterError(f"LLM server answered {error.status_code}") from error
        except openai.APIError as error:  # connection errors and timeouts, after the SDK's retries
            record.outcome, record.error = "error", _short(error)
            self._log(record)
            raise WriterError(f"LLM server unreachable: {type(error).__name__}") from error
        finally:
            record.latency_ms = int((time.perf_counter() - started) * 1000)
        if own_record:
            self._log(record)
        return result

    def _ask(self, messages, schema: type[BaseModel], record: CallRecord, temperature: float | None = None):
        if self._server not in _json_mode_only:
            try:
                completion = self.client.chat.completions.parse(
                    model=self.model, messages=messages, response_format=schema, max_tokens=MAX_OUTPUT_TOKENS,
                    temperature=openai.omit if temperature is None else temperature)
            except openai.BadRequestError as error:
                if "response_format" not in str(error) and "json_schema" not in str(error):
                    raise
                log.info("%s has no json_schema support; using JSON mode", self._server)
                with _lock:
                    _json_mode_only.add(self._server)
            except openai.LengthFinishReasonError as error:
                raise InvalidOutput("the answer was cut off by the length limit; answer more briefly") from error
            except (ValidationError, json.JSONDecodeError) as error:
                raise InvalidOutput(_validation_message(error)) from error
            else:
                _usage(record, completion)
                message = completion.choices[0].message
                if message.refusal:
                    raise InvalidOutput(f"the model refused: {message.refusal[:200]}")
                if message.parsed is None:
                    raise InvalidOutput("the answer holds no JSON object")
                return message.parsed
        return self._ask_json_mode(messages, schema, record, temperature)

    def _ask_json_mode(self, messages, schema: type[BaseModel], record: CallRecord, temperature: float | None = None):
        shape = json.dumps(schema.model_json_schema())
        guided = [{"role": "system", "content": messages[0]["content"] + "\n\nJSON schema of the answer:\n" + shape},
                  *messages[1:]]
        completion = self.client.chat.completions.create(
            model=self.model, messages=guided, response_format={"type": "json_object"}, max_tokens=MAX_OUTPUT_TOKENS,
            temperature=openai.omit if temperature is None else temperature)
        _usage(record, completion)
        text = completion.choices[0].message.content or ""
        try:
            return schema.model_validate_json(text)
        except ValidationError as error:
            raise InvalidOutput(_validation_message(error)) from error

    def _log(self, record: CallRecord) -> None:
        if self.call_log is not None:
            self.call_log(record)


@functools.cache
def _client(api_key: str | None, base_url: str | None, timeout: float, max_retries: int) -> openai.OpenAI:
    """One client (and connection pool) per configuration and process: building one loads the system's
    CA certificates, about 50 ms, which dominated a job's cost when done per job."""
    return openai.OpenAI(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries)


def writer_for(settings: Settings, call_log: CallLog | None = None):
    """The OpenAI writer when a key is set, else the offline writer."""
    if settings.uses_llm:
        return OpenAIWriter(settings, call_log)
    return OfflineWriter(call_log)


def _usage(record: CallRecord, completion) -> None:
    record.request_id = getattr(completion, "_request_id", None)
    if completion.usage is not None:
        record.tokens_in = completion.usage.prompt_tokens
        record.tokens_out = completion.usage.completion_tokens


def _retry_after(error: openai.APIStatusError) -> float | None:
    headers = error.response.headers
    for name, divisor in (("retry-after-ms", 1000), ("retry-after", 1)):
        value = headers.get(name)
        if value:
            try:
                return max(1.0, float(value) / divisor)
            except ValueError:
                continue
    return None


def _validation_message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        # Location and reason only: the model's own text is not echoed back to it.
        problems = [f"{'.'.join(str(part) for part in issue['loc']) or 'answer'}: {issue['msg']}"
                    for issue in error.errors()[:8]]
        return "the answer does not match the schema: " + "; ".join(problems)
    return f"the answer is not valid JSON: {type(error).__name__}"


def _short(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:500]
