"""The badge rule vocabulary's parameters, in one place: authoring validates against it, playing evaluates it.

Each rule says whether it is for a person or a team, and which parameters it takes in Badge.params:
`threshold` (an int >= 1), `kind` (a MissionKind) and `skill` (the name of one of the challenge's skills),
each required, optional or not taken.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ..inputs import whole_number
from ..models import BadgeRule, BadgeScope, MissionKind
from ..play.skill_xp import SKILL_LEVELS
from ..problems import Invalid, Problem

MAX_THRESHOLD = 100_000


class Need(StrEnum):
    REQUIRED = "required"
    OPTIONAL = "optional"
    NONE = "none"


@dataclass(frozen=True)
class RuleSpec:
    label: str  # how the admin page names the rule, with N standing for the threshold
    scope: BadgeScope
    threshold: Need
    kind: Need
    skill: Need = Need.NONE


RULES: dict[BadgeRule, RuleSpec] = {
    BadgeRule.MISSIONS_COMPLETED: RuleSpec("N missions completed (optionally of one kind)", BadgeScope.INDIVIDUAL,
                                           Need.REQUIRED, Need.OPTIONAL),
    BadgeRule.STREAK_DAYS: RuleSpec("A streak of N days", BadgeScope.INDIVIDUAL, Need.REQUIRED, Need.NONE),
    BadgeRule.POINTS_REACHED: RuleSpec("N points reached", BadgeScope.INDIVIDUAL, Need.REQUIRED, Need.NONE),
    BadgeRule.REFLECTIONS_WRITTEN: RuleSpec("N reflections written", BadgeScope.INDIVIDUAL, Need.REQUIRED, Need.NONE),
    BadgeRule.KUDOS_GIVEN: RuleSpec("N kudos given", BadgeScope.INDIVIDUAL, Need.REQUIRED, Need.NONE),
    BadgeRule.KUDOS_RECEIVED: RuleSpec("N kudos received", BadgeScope.INDIVIDUAL, Need.REQUIRED, Need.NONE),
    BadgeRule.TEAM_ALL_COMPLETED_KIND: RuleSpec("Every team member completed a mission of a kind", BadgeScope.TEAM,
                                                Need.NONE, Need.REQUIRED),
    BadgeRule.TEAM_POINTS_REACHED: RuleSpec("The team reached N points", BadgeScope.TEAM, Need.REQUIRED, Need.NONE),
    BadgeRule.SKILL_LEVEL_REACHED: RuleSpec("Level N reached in a skill", BadgeScope.INDIVIDUAL, Need.REQUIRED,
                                            Need.NONE, Need.REQUIRED),
}


@dataclass(frozen=True)
class ChallengeShape:
    """What a rule is checked against to catch badges nobody could ever earn."""

    duration_days: int | None = None
    mission_kinds: frozenset[MissionKind] | None = None
    skills: frozenset[str] | None = None


def scope_of(rule: BadgeRule) -> BadgeScope:
    return RULES[rule].scope


def validate_params(rule, params: dict, shape: ChallengeShape | None = None, prefix: tuple = ()) -> dict:
    """The params cleaned for `rule` ({"threshold": int, "kind": str}); raises Invalid naming the parameter.

    `prefix` is put in front of each problem's field path (e.g. ("badges", 3)).
    """
    problems: list[Problem] = []
    try:
        rule = BadgeRule(rule)
    except ValueError:
        allowed = ", ".join(member.value for member in BadgeRule)
        raise Invalid([Problem(prefix + ("rule",), f"{rule!r} is not a badge rule; choose one of {allowed}")]) from None
    spec = RULES[rule]
    params = dict(params or {})
    clean: dict = {}
    for name in params:
        if name not in ("threshold", "kind", "skill"):
            problems.append(Problem(prefix + (name,), f"unknown parameter for rule {rule.value}"))
    for name, need in (("threshold", spec.threshold), ("kind", spec.kind), ("skill", spec.skill)):
        value = params.get(name)
        if value in (None, ""):
            if need is Need.REQUIRED:
                problems.append(Problem(prefix + (name,), f"is required for rule {rule.value}"))
            continue
        if need is Need.NONE:
            problems.append(Problem(prefix + (name,), f"rule {rule.value} takes no {name}"))
            continue
        if name == "threshold":
            number = _as_int(value)
            if number is None:
                problems.append(Problem(prefix + (name,), "must be a whole number"))
            elif not 1 <= number <= MAX_THRESHOLD:
                problems.append(Problem(prefix + (name,), f"must be between 1 and {MAX_THRESHOLD}"))
            else:
                clean[name] = number
        elif name == "skill":
            clean[name] = str(value).strip()[:120]
        else:
            try:
                clean[name] = MissionKind(value).value
            except ValueError:
                kinds = ", ".join(member.value for member in MissionKind)
                problems.append(Problem(prefix + (name,), f"{value!r} is not a mission kind; choose one of {kinds}"))
    if not problems and shape is not None:
        problems += _impossible(rule, clean, shape, prefix)
    if problems:
        raise Invalid(problems)
    return clean


def _impossible(rule: BadgeRule, params: dict, shape: ChallengeShape, prefix: tuple) -> list[Problem]:
    """Badges that are well formed but could never be earned in this challenge."""
    problems = []
    if rule is BadgeRule.STREAK_DAYS and shape.duration_days is not None and params["threshold"] > shape.duration_days:
        problems.append(Problem(prefix + ("threshold",),
                                f"a streak of {params['threshold']} days cannot happen in a "
                                f"{shape.duration_days}-day challenge"))
    skill = params.get("skill")
    if skill and shape.skills is not None and skill not in shape.skills:
        problems.append(Problem(prefix + ("skill",), f"the challenge has no skill called {skill!r}"))
    if rule is BadgeRule.SKILL_LEVEL_REACHED and params["threshold"] > len(SKILL_LEVELS):
        problems.append(Problem(prefix + ("threshold",), f"the skill ladder has {len(SKILL_LEVELS)} levels"))
    kind = params.get("kind")
    if kind and shape.mission_kinds is not None and MissionKind(kind) not in shape.mission_kinds:
        problems.append(Problem(prefix + ("kind",), f"the challenge has no {kind} mission, so nobody could earn it"))
    return problems


def _as_int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        number = whole_number(text.removeprefix("-"))
        return None if number is None else (-number if text.startswith("-") else number)
    return None


def describe(rule: BadgeRule, params: dict) -> str:
    """The rule in words, for lists: "3 missions completed (share)"."""
    label = RULES[rule].label.replace(" (optionally of one kind)", "")
    if "threshold" in params:
        label = label.replace("N", str(params["threshold"]), 1)
    if params.get("skill"):
        label += f": {params['skill']}"
    if params.get("kind"):
        label += f" ({params['kind']})" if rule is not BadgeRule.TEAM_ALL_COMPLETED_KIND else f": {params['kind']}"
    return label
