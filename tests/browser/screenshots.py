"""`make screenshots`: the main pages of each role at 1280 and 390 px, from a fresh demo, into docs/screenshots/.

Run as `python -m tests.browser.screenshots [DIR]`. PNG keeps text and edges crisp (JPEG blurred them); each
picture is reduced to a palette of PALETTE colours (octree: a small saturated area, a brand colour or a team
avatar, keeps its own entry, which median cut merged away at 64 colours) without dithering, so text and flat
surfaces stay exact, and saved with zlib's best effort: 1.2 MB for the folder (JPEG at quality 40: 1.8 MB).
"""
from __future__ import annotations

import io
import shutil
import sys
import tempfile
from pathlib import Path

from sqlmodel import Session, select

from webapp.db import dispose_engines, get_engine
from webapp.demo import DEMO_PASSWORD, load_demo
from webapp.migrate import upgrade
from webapp.models import Challenge, LessonSummary
from webapp.settings import load_settings

from ..support import served
from .conftest import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]
WIDTHS = {"wide": 1280, "phone": 390}
PALETTE = 256


def save_optimised(raw: bytes, file: Path, colours: int = PALETTE) -> None:
    """The PNG screenshot `raw`, as a palette PNG of at most `colours` colours, optimised."""
    from PIL import Image

    image = Image.open(io.BytesIO(raw)).convert("RGB")
    quantised = image.quantize(colors=colours, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    quantised.save(file, format="PNG", optimize=True)


def pages(challenge_id: int, summary_id: int | None) -> dict[str, list[tuple[str, str]]]:
    """(file name, path) per role: what each role comes back to."""
    play = [("challenge", f"/play/challenges/{challenge_id}"), ("leaderboard", f"/play/challenges/{challenge_id}/leaderboard"),
            ("feed", f"/play/challenges/{challenge_id}/feed")]
    return {
        "employee": [("dashboard", "/dashboard"), *play, ("points", "/play/points"), ("library", "/library")],
        "lead": [("dashboard", "/dashboard"), ("review-queue", "/review")]
        + ([("review", f"/review/summaries/{summary_id}")] if summary_id else []),
        "admin": [("dashboard", "/dashboard"), ("challenges", "/admin/challenges"), ("programme", "/monitoring/")],
    }


def take(target: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    target.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp())
    database_url = f"sqlite:///{work / 'shots.db'}"
    upgrade(database_url)
    with Session(get_engine(database_url), expire_on_commit=False) as session:
        load_demo(session)
        challenge_id = session.exec(select(Challenge.id).where(Challenge.slug == "learning-from-mistakes")).one()
        summary_id = session.exec(select(LessonSummary.id).order_by(LessonSummary.id.desc())).first()
    written: list[Path] = []
    settings = load_settings(database_url=database_url, secret_key="screenshots", redis_url=None, outbox_pump=True)
    try:
        with served(settings) as (url, _app), sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            for role, shots in pages(challenge_id, summary_id).items():
                for size, width in WIDTHS.items():
                    context = browser.new_context(viewport={"width": width, "height": 900}, reduced_motion="reduce")
                    page = context.new_page()
                    page.goto(f"{url}/login")
                    page.get_by_label("Email").fill(f"{role}@example.com")
                    page.get_by_label("Password").fill(DEMO_PASSWORD)
                    page.get_by_role("button", name="Sign in").click()
                    page.wait_for_url(f"{url}/dashboard")
                    for name, path in shots:
                        page.goto(url + path)
                        page.wait_for_load_state("networkidle")
                        file = target / f"{role}-{name}-{size}.png"
                        # The first two screens of a page: what a reader of the README needs, at a modest size.
                        height = min(page.evaluate("document.documentElement.scrollHeight"), 1800)
                        clip = {"x": 0, "y": 0, "width": width, "height": height}
                        save_optimised(page.screenshot(full_page=True, clip=clip), file)
                        written.append(file)
                    context.close()
            browser.close()
    finally:
        dispose_engines()
        shutil.rmtree(work, ignore_errors=True)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    for old in target.glob("*.jpg"):  # earlier runs wrote JPEG
        old.unlink()
    files = take(target)
    print(f"{len(files)} screenshots, {sum(f.stat().st_size for f in files) / 1e6:.2f} MB")
