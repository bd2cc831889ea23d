"""Badge medallions: the tier (drawn as a shape), the kind colour and the "how to earn it" of a badge."""
from __future__ import annotations

from markupsafe import Markup

from ..challenges.badge_rules import describe
from ..icons import BADGE_ICONS, DEFAULT_BADGE_ICON, KIND_ICONS, icon
from ..models import Badge, BadgeRule

# Thresholds from which a badge is silver (tier 2) and gold (tier 3); points badges count in points.
TIER_STEPS = {BadgeRule.POINTS_REACHED: (100, 300), BadgeRule.TEAM_POINTS_REACHED: (500, 1500)}
DEFAULT_STEPS = (3, 7)
TIER_NAMES = {1: "bronze", 2: "silver", 3: "gold"}
# Shapes on a 64 x 64 box: a round coin, a hexagon, a star-cut shield.
SHAPES = {
    1: '<circle class="rim" cx="32" cy="32" r="30"/><circle class="face" cx="32" cy="32" r="24"/>',
    2: '<polygon class="rim" points="32,2 58,17 58,47 32,62 6,47 6,17"/>'
       '<polygon class="face" points="32,9 52,21 52,43 32,55 12,43 12,21"/>',
    3: '<path class="rim" d="M32 2 40 10 52 8 54 20 62 28 56 38 58 50 46 54 38 62 32 58 26 62 18 54 6 50 8 38 2 28 10 20 12 8 24 10Z"/>'
       '<circle class="face" cx="32" cy="32" r="20"/>',
}


def tier_of(badge: Badge) -> int:
    """1 to 3 by how much the badge asks for; a team badge for every member doing a kind is gold."""
    if badge.rule is BadgeRule.TEAM_ALL_COMPLETED_KIND:
        return 3
    threshold = badge.params.get("threshold") if isinstance(badge.params, dict) else None
    if not isinstance(threshold, int):
        return 1
    silver, gold = TIER_STEPS.get(badge.rule, DEFAULT_STEPS)
    return 3 if threshold >= gold else 2 if threshold >= silver else 1


def kind_of(badge: Badge) -> str | None:
    kind = badge.params.get("kind") if isinstance(badge.params, dict) else None
    return kind if kind in KIND_ICONS else None


def how_to_earn(badge: Badge) -> str:
    return badge.description or describe(badge.rule, badge.params or {})


def medallion(badge: Badge, earned: bool = True, size: int = 72) -> Markup:
    """The badge drawn as SVG; a locked one is greyed. Decorative: its name is always written beside it."""
    tier = tier_of(badge)
    kind = kind_of(badge)
    glyph = badge.icon if badge.icon in BADGE_ICONS else DEFAULT_BADGE_ICON
    classes = " ".join(filter(None, ["medallion", f"tier-{TIER_NAMES[tier]}", f"kind-{kind}" if kind else "",
                                     "" if earned else "locked"]))
    return Markup(f'<svg class="{classes}" viewBox="0 0 64 64" width="{size}" height="{size}" aria-hidden="true" '
                  f'focusable="false">{SHAPES[tier]}<g class="glyph" transform="translate(20 20)">'
                  f'{icon(glyph, size=24)}</g></svg>')
