"""Icons: the Lucide icons the pages use, served as one SVG sprite, and the Jinja helper that draws one."""
from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

if TYPE_CHECKING:  # the sprite build imports the list below without Flask installed
    from flask import Flask

# Each mission kind has one colour (in tokens.css) and one icon, used wherever the kind appears.
KIND_ICONS = {
    "learn": "book-open",
    "share": "share-2",
    "experiment": "flask-conical",
    "help": "hand-helping",
    "feedback": "message-square-heart",
}

# What an admin may pick for a badge medallion: symbols that read well small and in grey.
BADGE_ICONS = ("award", "star", "trophy", "medal", "zap", "target", "flame", "rocket", "lightbulb", "crown",
               "mountain", "gem", "puzzle", "compass", "heart", "brain-circuit", "notebook-pen", "users",
               "sparkles", "thumbs-up")
DEFAULT_BADGE_ICON = "award"

# Everything else the pages draw. The sprite holds exactly these: a name missing here is an error at render time.
UI_ICONS = ("house", "layout-dashboard", "list-checks", "library", "search", "chart-column", "shield-check", "inbox",
            "mail", "bot", "badge-check", "log-out", "menu", "check", "circle-check", "chevron-down", "arrow-up",
            "arrow-down", "minus", "lock", "calendar", "clock", "pen-line", "party-popper", "circle-plus",
            "settings", "briefcase", "key-round", "hourglass", "user", "x")

# The main navigation's entries (webapp.navigation) by endpoint; an entry without one shows its label alone.
NAV_ICONS = {
    "main.dashboard": "house", "admin.challenges": "list-checks", "admin.teams": "users", "admin.users": "user",
    "team_lessons.team": "notebook-pen", "review.queue": "pen-line", "play.approvals": "badge-check",
    "library.index": "library", "monitoring.overview": "chart-column", "operations.jobs": "settings",
    "admin.mail": "mail", "reflection.llm_calls": "bot", "credentials.issued": "shield-check",
}

ICONS = tuple(dict.fromkeys((*KIND_ICONS.values(), *BADGE_ICONS, *UI_ICONS)))
SPRITE = "vendor/icons.svg"


def icon(name: str, label: str | None = None, size: int = 20, css: str = "") -> Markup:
    """An icon from the sprite; decorative (hidden from screen readers) unless a `label` names it."""
    if name not in ICONS:
        raise ValueError(f"icon {name!r} is not in the sprite (add it to webapp/icons.py)")
    from flask import url_for

    href = f"{url_for('static', filename=SPRITE)}#{name}"
    a11y = f'role="img" aria-label="{escape(label)}"' if label else 'aria-hidden="true" focusable="false"'
    classes = f"icon {css}".strip()
    return Markup(f'<svg class="{classes}" width="{size}" height="{size}" {a11y}><use href="{href}"></use></svg>')


def kind_icon(kind, label: bool = False, size: int = 20) -> Markup:
    """The icon of a mission kind (a MissionKind or its value)."""
    value = getattr(kind, "value", kind)
    return icon(KIND_ICONS[value], label=value.capitalize() if label else None, size=size, css=f"kind-icon kind-{value}")


def kind_chip(kind) -> Markup:
    """A kind named with its colour and icon: the one way a mission kind appears on a page."""
    value = getattr(kind, "value", kind)
    if value not in KIND_ICONS:
        return Markup("{}").format(value)
    return Markup('<span class="kind kind-{}">{}{}</span>').format(value, kind_icon(value), value.capitalize())


TEAM_COLOURS = 8  # tokens.css: .team-c0 to .team-c7


def team_avatar(name: str, key: int | str) -> Markup:
    """A team's initial on its colour (the same colour wherever the team appears); decorative beside its name.

    `key` is the team's id where known: colours go round in the order teams were created, so the first
    eight teams (the teams of a challenge are usually created together) never share one; a hash of names
    gave two of the six demo teams the same teal."""
    index = key % TEAM_COLOURS if isinstance(key, int) else zlib.crc32(str(key).encode()) % TEAM_COLOURS
    initial = (name or "?").strip()[:1].upper() or "?"
    return Markup('<span class="team-avatar team-c{}" aria-hidden="true">{}</span>').format(index, initial)


def nav_icon(endpoint: str) -> Markup:
    name = NAV_ICONS.get(endpoint)
    return icon(name) if name else Markup("")


def init_app(app: Flask) -> None:
    from .play.medallions import TIER_NAMES, how_to_earn, medallion, tier_of

    app.jinja_env.globals.update(medallion=medallion, how_to_earn=how_to_earn, badge_tier=tier_of,
                                 badge_tier_name=lambda badge: TIER_NAMES[tier_of(badge)])
    app.jinja_env.globals.update(icon=icon, kind_icon=kind_icon, kind_chip=kind_chip, nav_icon=nav_icon, team_avatar=team_avatar, KIND_ICONS=KIND_ICONS,
                                 BADGE_ICONS=BADGE_ICONS)
