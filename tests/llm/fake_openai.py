"""A local OpenAI-compatible server for tests: the real SDK talks to it through base_url.

Modes: good, slow (answers after `slow_seconds`: set it beyond the client's timeout to hang), rate_limited (429
with Retry-After), quota (429 `insufficient_quota`, as OpenAI answers an exhausted account), error (500),
malformed (not JSON), schema_break (JSON of the wrong shape), bad_citations (cites ids that were not given),
bad_quotes (quotes found in no cited reflection), no_json_schema (400 to json_schema, as some compatible
servers do; JSON mode works). `script` lists modes used first, one per request; then `mode` applies. Every
request is recorded.
"""
from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DATA = re.compile(r"<data>\n(.*)\n</data>", re.S)
SECTIONS = ("key_lessons", "practices", "mistakes", "open_questions", "next_experiments")


class FakeOpenAI:
    def __init__(self, mode: str = "good", slow_seconds: float = 2.0, retry_after: str = "1"):
        self.mode = mode
        self.script: deque[str] = deque()
        self.slow_seconds = slow_seconds
        self.retry_after = retry_after
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._server.block_on_close = False  # stop() must not wait for a deliberately hanging answer
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self) -> "FakeOpenAI":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def next_mode(self) -> str:
        with self._lock:
            return self.script.popleft() if self.script else self.mode

    def record(self, body: dict) -> None:
        with self._lock:
            self.requests.append(body)

    # What the fake "model" answers.
    def answer(self, body: dict, mode: str) -> dict:
        data = _data(body)
        task = data.get("task")
        if task == "reflection_prompt":
            title = (data.get("missions_just_completed") or [{"title": "your mission"}])[0]["title"]
            return {"what_happened": f"What did you do in {title}?", "so_what": "What did it teach you?",
                    "now_what": "What will you try next?"}
        # A quote is copied from a cited reflection (its first words), as the prompt asks.
        if task == "summary_merge":
            items = [item for part in data["partial_summaries"] for section in SECTIONS for item in part.get(section, [])]
            ids = sorted({ref for item in items for ref in item["citations"]})
            quotes = {ref: item["quote"] for item in items for ref in item["citations"]}
        else:
            ids = [item["id"] for item in data.get("reflections", [])]
            quotes = {item["id"]: " ".join(item["text"].split()[:4]) for item in data.get("reflections", [])}
        if mode == "bad_citations":
            ids = [max(ids or [0]) + 1000]
        if mode == "bad_quotes":
            quotes = {ref: "words nobody ever wrote" for ref in ids}
        content = {section: [] for section in SECTIONS}
        if ids:
            content["key_lessons"] = [{"text": "Participant 1 learned that small steps work.", "citations": ids[:3],
                                       "quote": quotes.get(ids[0], "none")}]
            content["practices"] = [{"text": "Pairing on reviews helped.", "citations": ids[-2:],
                                     "quote": quotes.get(ids[-2:][0], "none")}]
        return content


def _data(body: dict) -> dict:
    for message in body.get("messages", []):
        if message.get("role") == "user":
            match = DATA.search(message.get("content", ""))
            if match:
                return json.loads(match.group(1))
    return {}


def _completion(content: str, model: str, prompt_tokens: int) -> dict:
    return {
        "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": content, "refusal": None}}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": max(1, len(content) // 4),
                  "total_tokens": prompt_tokens + max(1, len(content) // 4)},
    }


def _handler(fake: FakeOpenAI):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out at once: no 40 ms delayed-ACK stall

        def log_message(self, *args):  # keep test output quiet
            pass

        def do_POST(self):
            length = int(self.headers.get("content-length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            fake.record({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, **body})
            mode = fake.next_mode()
            if mode == "slow":
                time.sleep(fake.slow_seconds)
            if mode == "rate_limited":
                return self._send(429, {"error": {"message": "Rate limit reached", "type": "rate_limit_error"}},
                                  {"retry-after": fake.retry_after})
            if mode == "quota":
                return self._send(429, {"error": {"message": "You exceeded your current quota",
                                                  "type": "insufficient_quota", "code": "insufficient_quota"}})
            if mode == "error":
                return self._send(500, {"error": {"message": "boom", "type": "server_error"}})
            format_type = (body.get("response_format") or {}).get("type")
            if mode == "no_json_schema" and format_type == "json_schema":
                return self._send(400, {"error": {"message": "response_format json_schema is not supported",
                                                  "type": "invalid_request_error"}})
            if mode == "malformed":
                content = '{"what_happened": "unfinished'
            elif mode == "schema_break":
                content = json.dumps({"lessons": "all good", "points": 1000})
            else:
                content = json.dumps(fake.answer(body, mode))
            prompt_tokens = sum(len(m.get("content", "")) for m in body.get("messages", [])) // 4
            return self._send(200, _completion(content, body.get("model", "fake"), prompt_tokens))

        def _send(self, status: int, payload: dict, headers: dict | None = None):
            raw = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(raw)))
            self.send_header("x-request-id", f"req_fake_{len(fake.requests)}")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            try:
                self.end_headers()
                self.wfile.write(raw)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting (its timeout): fine
                pass

    return Handler
