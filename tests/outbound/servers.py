"""Real servers for the outbound tests: an HTTP server that records what it receives, and ralph's LRS."""
from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

from ..support import free_port, wait_for_port

LRS_DIR = Path(__file__).resolve().parent / "lrs"
LRS_PYTHON = LRS_DIR / ".venv" / "bin" / "python"
LRS_USER, LRS_PASSWORD = "learnloop", "lrs-secret"


@dataclass
class Received:
    method: str
    path: str
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class RecordingServer:
    """Answers each request with the next status of `answers` (then `default`), and keeps what it received."""

    default: int = 200
    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)

    def start(self) -> RecordingServer:
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with lock:
                    recorder.received.append(Received(self.command, self.path, dict(self.headers), body))
                    status = recorder.answers.pop(0) if recorder.answers else recorder.default
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            do_POST = do_PUT = _record

            def log_message(self, *args):
                pass

        lock = threading.Lock()
        self.port = free_port()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Lrs:
    """ralph-malph's LRS with its file-system backend, Basic auth from its own auth file, on a free port."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.env = {**os.environ, "RALPH_RUNSERVER_BACKEND": "fs", "RALPH_AUTH_FILE": str(directory / "auth.json"),
                    "RALPH_APP_DIR": str(directory / "app"),
                    "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(directory / "data"),
                    "RALPH_BACKENDS__DATA__FS__DEFAULT_DIRECTORY_PATH": str(directory / "data")}

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/xAPI/"

    def start(self) -> Lrs:
        ralph = LRS_DIR / ".venv" / "bin" / "ralph"
        subprocess.run([str(ralph), "auth", "-u", LRS_USER, "-p", LRS_PASSWORD, "-s", "all", "-A", LRS_USER,
                        "https://lrs.test", "-w"], env=self.env, cwd=self.directory, check=True,
                       capture_output=True, timeout=120)
        self.log = open(self.directory / "ralph.log", "wb")
        self.process = subprocess.Popen([str(LRS_PYTHON), str(LRS_DIR / "launch.py"), str(self.port)],
                                        env=self.env, cwd=self.directory, stdout=self.log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, timeout=60)
        return self

    def statements(self, home_page: str | None = None) -> list[dict]:
        """Every statement the LRS holds (following `more`), those of actors at `home_page` if given."""
        found, url = [], self.endpoint + "statements?limit=500"
        while url:
            answer = requests.get(url, auth=(LRS_USER, LRS_PASSWORD), timeout=30,
                                  headers={"X-Experience-API-Version": "1.0.3"})
            answer.raise_for_status()
            page = answer.json()
            found += page["statements"]
            more = page.get("more")
            url = f"http://127.0.0.1:{self.port}{more}" if more else None
        if home_page is not None:
            found = [s for s in found if s["actor"].get("account", {}).get("homePage") == home_page]
        return found

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def wait_until(condition, timeout: float = 20.0, what: str = "condition"):
    """Poll `condition` until it returns something truthy; fail after `timeout` seconds (no fixed sleeps)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
