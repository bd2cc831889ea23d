"""Helpers for tests that run real processes: a private redis-server, rq workers."""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKER_CLASS = "workers.worker.LearnloopWorker"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port}")


class RedisServer:
    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


@contextmanager
def redis_server(directory: Path):
    server = RedisServer(directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def served(settings):
    """The app for `settings`, served by a threaded server on a free port of this process; yields (url, app).

    Stops the server and the app's outbox pump on the way out.
    """
    import threading

    from werkzeug.serving import make_server

    from webapp import create_app
    from workers.pump import stop as stop_pump

    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app
    finally:
        server.shutdown()
        thread.join(5)
        stop_pump(settings)


def worker_env(database_url: str, redis_url: str, queue: str = "learnloop", **extra: str) -> dict:
    env = dict(os.environ)
    env.update(DATABASE_URL=database_url, REDIS_URL=redis_url, RQ_QUEUE=queue, SECRET_KEY="test-secret", **extra)
    env["PYTHONPATH"] = str(ROOT)
    return env


def rq_command(*args: str) -> list[str]:
    """The `rq` console script of this environment."""
    return [str(Path(sys.executable).parent / "rq"), *args]


def run_rq_worker_burst(database_url: str, redis_url: str, queue: str = "learnloop", timeout: float = 60,
                        **extra_env: str) -> str:
    """Run a real `rq worker --burst` process until the queue is empty; returns its output."""
    result = subprocess.run(
        rq_command("worker", "--burst", "-w", WORKER_CLASS, "--url", redis_url, queue),
        env=worker_env(database_url, redis_url, queue, **extra_env), cwd=ROOT, capture_output=True, text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


class SmtpServer:
    """A real SMTP server (aiosmtpd, its own process) storing what arrives in a maildir; can be stopped
    and started again on the same port to play an outage."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        import mailbox

        mailbox.Maildir(self.directory, create=True)  # the Mailbox handler delivers into an existing maildir
        self.process = subprocess.Popen(
            [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.port}",
             "-c", "aiosmtpd.handlers.Mailbox", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def messages(self) -> list:
        """Every message received so far, as email.message.EmailMessage objects."""
        import email
        import email.policy
        import mailbox

        box = mailbox.Maildir(self.directory, factory=None, create=True)
        return [email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
                for key in sorted(box.keys(), key=delivery_order)]


def delivery_order(key: str) -> tuple[int, int, int]:
    """Sort key of a maildir file name `<seconds>.M<microseconds>P<pid>Q<count>.<host>` in arrival order.

    The microseconds are not zero-padded, so sorting the names as text puts a message of .M141395 before
    one of .M73570 in the same second."""
    seconds, unique = key.split(".")[:2]
    match = re.fullmatch(r"M(\d+)P\d+Q(\d+)", unique)
    if match is None:
        return int(seconds), 0, 0
    return int(seconds), int(match[1]), int(match[2])
