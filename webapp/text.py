"""User and model text made safe for pages: markdown rendered, then sanitised to a small allow-list."""
from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")

_ALLOWED_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h3", "h4", "h5", "h6", "hr",
}


def render_markdown(text: str) -> str:
    """HTML for user-written markdown: no raw HTML, no images (they could leak data), safe links only."""
    html = _markdown.render(text)
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def render_model_markdown(text: str) -> str:
    """HTML for model-written markdown: as render_markdown, but links keep only their text.

    A prompt-injected model could write a link whose address carries the reader's data away (OWASP LLM05).
    """
    return nh3.clean(_markdown.render(text), tags=_ALLOWED_TAGS - {"a"}, attributes={})


def web_link(url: str | None) -> str | None:
    """The URL if it is an http(s) address a page may link to, else None (never a javascript: or data: link)."""
    candidate = (url or "").strip()
    return candidate if urlsplit(candidate).scheme.lower() in {"http", "https"} else None


def clean_name(text: str) -> str:
    """A person's or team's name as stored: no bidi controls (a right-to-left override makes "gpj.exe"
    read as "exe.jpg"), no zero-width or other invisible format characters, no control characters,
    and single spaces."""
    visible = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cc") or ch in "\t\n\r")
    return " ".join(visible.split())
