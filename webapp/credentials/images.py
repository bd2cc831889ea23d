"""Badge images as SVG, and "baking": the credential (3.0) or the assertion URL (2.0) inside the image.

Open Badges bakes an SVG by adding an `openbadges:credential` (3.0) or `openbadges:assertion` (2.0)
element to the root, in the `https://purl.imsglobal.org/ob/v3p0` / `http://openbadges.org` namespace.
"""
from __future__ import annotations

import json
from xml.sax.saxutils import escape, quoteattr

PALETTE = ["#1f6feb", "#8250df", "#1a7f37", "#bf3989", "#9a6700", "#0969da"]


def _lines(name: str, width: int = 11) -> list[str]:
    words, lines, line = name.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return [line[:width] for line in lines[:3]]


def badge_svg(name: str, badge_id: int, baked: str = "") -> str:
    """A round badge with the badge's name; `baked` is inserted as the first child of the root."""
    colour = PALETTE[badge_id % len(PALETTE)]
    lines = _lines(name)
    first_y = 160 - (len(lines) - 1) * 18
    text = "".join(f'<text x="150" y="{first_y + 36 * index}" text-anchor="middle" font-family="sans-serif" '
                   f'font-size="30" font-weight="bold" fill="#ffffff">{escape(line)}</text>'
                   for index, line in enumerate(lines))
    return ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0" '
            'width="300" height="300" viewBox="0 0 300 300" role="img" '
            f'aria-label={quoteattr("Badge: " + name)}>{baked}'
            f'<title>{escape(name)}</title>'
            f'<circle cx="150" cy="150" r="140" fill="{colour}"/>'
            '<circle cx="150" cy="150" r="122" fill="none" stroke="#ffffff" stroke-width="6"/>'
            f'{text}</svg>')


def baked_credential_svg(name: str, badge_id: int, credential: dict) -> str:
    """Open Badges 3.0: the credential's JSON inside <openbadges:credential> (CDATA-safe)."""
    payload = json.dumps(credential, ensure_ascii=False).replace("]]>", "]]]]><![CDATA[>")
    return badge_svg(name, badge_id, f"<openbadges:credential><![CDATA[{payload}]]></openbadges:credential>")


def baked_assertion_svg(name: str, badge_id: int, assertion_url: str) -> str:
    """Open Badges 2.0 hosted: the assertion URL in <openbadges:assertion verify="…">."""
    baked = f'<openbadges:assertion xmlns:openbadges="http://openbadges.org" verify={quoteattr(assertion_url)}/>'
    return badge_svg(name, badge_id, baked)
