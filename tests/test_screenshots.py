"""`make screenshots` writes small palette PNGs that keep a UI's flat colours (within 2 of 255) and its text crisp."""
from __future__ import annotations

import io

from PIL import Image, ImageDraw

from tests.browser.screenshots import PALETTE, save_optimised


def test_a_ui_picture_keeps_its_colours_exactly_and_gets_smaller(tmp_path):
    picture = Image.new("RGB", (640, 400), "#ffffff")
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 0, 640, 60), fill="#1d4ed8")
    for row in range(12):
        draw.text((20, 80 + row * 24), f"Mission {row}: read a postmortem +10 points", fill="#111827")
    raw = io.BytesIO()
    picture.save(raw, format="PNG")
    file = tmp_path / "shot.png"
    save_optimised(raw.getvalue(), file)
    saved = Image.open(file)
    assert saved.format == "PNG" and saved.mode == "P" and len(saved.getcolors()) <= PALETTE
    after = saved.convert("RGB")
    def near(pixel, colour):
        return max(abs(a - b) for a, b in zip(pixel, colour)) <= 2

    assert near(after.getpixel((5, 5)), (0x1D, 0x4E, 0xD8)) and near(after.getpixel((600, 390)), (255, 255, 255))
    # Anti-aliased text edges may move to a near colour of the palette, never far (no dithering noise).
    worst = max(max(abs(a - b) for a, b in zip(p, q)) for p, q in zip(after.getdata(), picture.getdata()))
    assert worst <= 24
    assert file.stat().st_size < len(raw.getvalue())
