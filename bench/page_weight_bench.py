"""The dashboard's page weight: what a browser downloads for the demo employee's dashboard (HTML, the CSS and
JavaScript it links, the icon sprite its icons use), each gzip-compressed as a server would send it.

Runs the app in-process on a fresh SQLite demo; prints the table and writes it to bench/results/.
"""
from __future__ import annotations

import gzip
import re
import shutil
import tempfile
from pathlib import Path

from sqlmodel import Session

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
LINKED = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"?#]+)')
SPRITES = re.compile(r'<use href="(/static/[^"?#]+)#')
BUDGET_KB = 150.0


def gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def dashboard_weight(client, email: str = "employee@example.com") -> dict[str, tuple[int, int]]:
    """{resource: (bytes, gzipped bytes)} for the dashboard `email` sees; `client` is signed out."""
    from webapp.demo import DEMO_PASSWORD

    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', login).group(1)
    client.post("/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token})
    html = client.get("/dashboard").get_data()
    weights = {"dashboard HTML": (len(html), gzipped(html))}
    text = html.decode()
    for path in dict.fromkeys(LINKED.findall(text) + SPRITES.findall(text)):
        body = client.get(path).get_data()
        weights[path.removeprefix("/static/")] = (len(body), gzipped(body))
    return weights


def measure() -> dict[str, tuple[int, int]]:
    from webapp import create_app
    from webapp.db import dispose_engines, get_engine
    from webapp.demo import load_demo
    from webapp.migrate import upgrade
    from webapp.settings import load_settings

    work = Path(tempfile.mkdtemp())
    try:
        url = f"sqlite:///{work / 'weight.db'}"
        upgrade(url)
        with Session(get_engine(url)) as session:
            load_demo(session)
        app = create_app(load_settings(database_url=url, secret_key="page-weight", redis_url=None, outbox_pump=False))
        return dashboard_weight(app.test_client())
    finally:
        dispose_engines()
        shutil.rmtree(work, ignore_errors=True)


def table(weights: dict[str, tuple[int, int]]) -> str:
    lines = ["| resource | bytes | gzipped |", "|---|---:|---:|"]
    lines += [f"| {name} | {raw:,} | {packed:,} |" for name, (raw, packed) in weights.items()]
    total_raw = sum(raw for raw, _ in weights.values())
    total = sum(packed for _, packed in weights.values())
    lines.append(f"| **total** | {total_raw:,} | **{total / 1000:.1f} kB** (budget {BUDGET_KB:.0f} kB) |")
    return "\n".join(lines)


def main() -> None:
    report = table(measure())
    print("Dashboard page weight\n" + report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "page_weight.md").write_text(report + "\n")


if __name__ == "__main__":
    main()
