"""The OpenAI writer (the only module that imports `openai`), and `writer_for(settings)` choosing a writer.

It speaks to OpenAI or any OpenAI-compatible server through the official SDK and its standard settings
(OPENAI_API_KEY, OPENAI_BASE_URL) plus OPENAI_MODEL. Output is structured (json_schema through
`chat.completions.parse`; JSON mode plus our own validation for servers without json_schema) and
validated against the pydantic schema in code. The SDK's own retries are off: this module retries
timeouts, 408/409/5xx and short 429 waits itself, so every attempt is in the call log with its real latency
and HTTP status, and no attempt outlives the running job's deadline (workers.deadlines). A 429 asking for a
longer wait becomes RetryLater (the job reschedules itself); an exhausted quota (`insufficient_quota`)
becomes QuotaExhausted (the job fails at once: waiting never helps).
"""
from __future__ import annotations

import dataclasses
import functools
import json
import logging
import threading
import time

import openai
from pydantic import BaseModel, ValidationError

from prompts import load
from webapp.settings import Settings

from .deadlines import OutOfTime, seconds_left
from .offline_writer import OfflineWriter
from .writing import (
    CallLog, CallRecord, InvalidOutput, PromptDraft, PromptRequest, QuotaExhausted, RetryLater, SummaryContent,
    SummaryRequest, WriterError, build_messages, check_citations, prompt_payload, summary_payload,
)

log = logging.getLogger(__name__)

MAX_OUTPUT_TOKENS = 1500
# A 429 without Retry-After still deserves a pause before the job runs again.
DEFAULT_RATE_LIMIT_WAIT = 30.0
# Waits up to this long are waited out in the call (as the SDK would); longer ones reschedule the job.
MAX_INLINE_WAIT = 8.0
RETRYABLE_STATUS = {408, 409, 429}  # and every 5xx

# Base URLs found not to support json_schema: later calls go straight to JSON mode.
_json_mode_only: set[str] = set()
_lock = threading.Lock()


class OpenAIWriter:
    def __init__(self, settings: Settings, call_log: CallLog | None = None):
        self.model = settings.openai_model
        self.name = settings.openai_model
        self.call_log = call_log
        self.timeout = settings.llm_timeout_seconds
        self.max_retries = settings.llm_max_retries
        self.client = _client(
            settings.openai_api_key.get_secret_value() if settings.openai_api_key else None,
            settings.openai_base_url, settings.llm_timeout_seconds,
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
        """One validated `schema`, retrying what a retry can cure. Every HTTP attempt is logged with its latency
        and status; a successful one in `record` if given (the caller logs it after its own checks)."""
        retries = 0
        while True:
            timeout = self._time_for_attempt()
            attempt = record if record is not None else CallRecord(work_key, template.name, template.version, self.model)
            started = time.perf_counter()
            try:
                result = self._ask(messages, schema, attempt, timeout, template.temperature)
            except InvalidOutput as error:
                self._log_failed(attempt, started, "invalid", error)
                raise
            except openai.APIStatusError as error:
                wait = self._after_status_error(attempt, started, error, retries)
            except openai.APITimeoutError as error:
                self._log_failed(attempt, started, "timeout", error)
                wait = self._retry_wait(retries, f"LLM server did not answer within {timeout:.0f} s")
            except openai.APIError as error:  # connection refused or reset
                self._log_failed(attempt, started, "error", error)
                wait = self._retry_wait(retries, f"LLM server unreachable: {type(error).__name__}")
            else:
                attempt.latency_ms = _elapsed_ms(started)
                if record is None:
                    self._log(attempt)
                return result
            retries += 1
            time.sleep(wait)

    def _after_status_error(self, attempt: CallRecord, started: float, error: openai.APIStatusError,
                            retries: int) -> float:
        """Log the failed attempt; the wait before retrying it, or raise what the job should do about it."""
        attempt.request_id = error.request_id
        status = error.status_code
        if status == 429 and "insufficient_quota" in (error.code, error.type):
            self._log_failed(attempt, started, "quota", error)
            raise QuotaExhausted("LLM server answered 429 insufficient_quota: the account's quota is used up") from error
        if status == 429:
            self._log_failed(attempt, started, "rate_limited", error)
            wait = _retry_after(error) or DEFAULT_RATE_LIMIT_WAIT
            left = seconds_left()
            if wait > MAX_INLINE_WAIT or retries >= self.max_retries or (left is not None and wait >= left):
                raise RetryLater(wait, "the LLM server is rate limiting") from error
            return wait
        self._log_failed(attempt, started, "error", error)
        if status in RETRYABLE_STATUS or status >= 500:
            return self._retry_wait(retries, f"LLM server answered {status}", error)
        raise WriterError(f"LLM server answered {status}") from error

    def _retry_wait(self, retries: int, message: str, cause: Exception | None = None) -> float:
        """The pause before retry number `retries + 1`; raises WriterError when none is left (count or time)."""
        wait = min(8.0, 0.5 * 2 ** retries)
        left = seconds_left()
        if left is not None and left <= wait:
            raise OutOfTime(f"{message}; the job's deadline is reached") from cause
        if retries >= self.max_retries:
            raise WriterError(f"{message} (after {retries + 1} attempts)") from cause
        return wait

    def _time_for_attempt(self) -> float:
        """This attempt's timeout: the configured one, cut to what is left before the job's deadline."""
        left = seconds_left()
        if left is None:
            return self.timeout
        if left <= 0.1:
            raise OutOfTime("the job's deadline was reached before the LLM answered")
        return min(self.timeout, left)

    def _log_failed(self, attempt: CallRecord, started: float, outcome: str, error: Exception) -> None:
        attempt.latency_ms = _elapsed_ms(started)
        attempt.outcome, attempt.error = outcome, _short(error)
        attempt.status_code = getattr(error, "status_code", attempt.status_code)
        self._log(attempt)
        # The record is reused for the next attempt (a caller may hold it): start it afresh.
        attempt.tokens_in = attempt.tokens_out = 0
        attempt.outcome, attempt.error, attempt.status_code, attempt.request_id = "ok", None, None, None

    def _ask(self, messages, schema: type[BaseModel], record: CallRecord, timeout: float,
             temperature: float | None = None):
        if self._server not in _json_mode_only:
            try:
                completion = self.client.chat.completions.parse(
                    model=self.model, messages=messages, response_format=schema, max_tokens=MAX_OUTPUT_TOKENS,
                    timeout=timeout, temperature=openai.omit if temperature is None else temperature)
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
        return self._ask_json_mode(messages, schema, record, timeout, temperature)

    def _ask_json_mode(self, messages, schema: type[BaseModel], record: CallRecord, timeout: float,
                       temperature: float | None = None):
        shape = json.dumps(schema.model_json_schema())
        guided = [{"role": "system", "content": messages[0]["content"] + "\n\nJSON schema of the answer:\n" + shape},
                  *messages[1:]]
        completion = self.client.chat.completions.create(
            model=self.model, messages=guided, response_format={"type": "json_object"}, max_tokens=MAX_OUTPUT_TOKENS,
            timeout=timeout, temperature=openai.omit if temperature is None else temperature)
        _usage(record, completion)
        text = completion.choices[0].message.content or ""
        try:
            return schema.model_validate_json(text)
        except ValidationError as error:
            raise InvalidOutput(_validation_message(error)) from error

    def _log(self, record: CallRecord) -> None:
        if self.call_log is not None:
            self.call_log(dataclasses.replace(record))  # a copy: the record is reused by the next attempt


@functools.cache
def _client(api_key: str | None, base_url: str | None, timeout: float) -> openai.OpenAI:
    """One client (and connection pool) per configuration and process: building one loads the system's
    CA certificates, about 50 ms, which dominated a job's cost when done per job. The SDK's retries are off
    (max_retries=0): OpenAIWriter retries itself, to log each attempt and keep to the job's deadline."""
    return openai.OpenAI(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=0)


def writer_for(settings: Settings, call_log: CallLog | None = None):
    """The OpenAI writer when a key is set, else the offline writer."""
    if settings.uses_llm:
        return OpenAIWriter(settings, call_log)
    return OfflineWriter(call_log)


def _usage(record: CallRecord, completion) -> None:
    record.request_id = getattr(completion, "_request_id", None)
    record.status_code = 200
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


def _elapsed_ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def _short(error: Exception) -> str:
    code = getattr(error, "code", None)  # e.g. insufficient_quota, which the message alone may not say
    return f"{type(error).__name__}: {error}{f' [{code}]' if code else ''}"[:500]
