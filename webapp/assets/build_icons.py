"""Build the one SVG sprite Learnloop serves from the locked lucide-static package: one <symbol> per icon
that webapp/icons.py lists, so pages load a few kilobytes instead of the whole set."""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from webapp.icons import ICONS  # noqa: E402

SOURCE = ROOT / "webapp" / "assets" / "node_modules" / "lucide-static" / "icons"
INNER = re.compile(r"<svg[^>]*>(.*)</svg>", re.S)


def build(target: Path) -> None:
    symbols = []
    for name in ICONS:
        svg = (SOURCE / f"{name}.svg").read_text()
        inner = " ".join(INNER.search(svg).group(1).split())
        symbols.append(f'<symbol id="{name}" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" '
                       f'stroke-linecap="round" stroke-linejoin="round">{inner}</symbol>')
    target.write_text('<svg xmlns="http://www.w3.org/2000/svg"><!-- Lucide icons (lucide-static, ISC licence) -->'
                      + "".join(symbols) + "</svg>\n")


if __name__ == "__main__":
    build(Path(sys.argv[1]))
