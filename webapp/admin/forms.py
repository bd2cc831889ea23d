"""Turning submitted forms into the schema's fields; blanks become "not given"."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from ..challenges.challenges import DETAIL_FIELDS
from ..challenges.missions import FIELDS as MISSION_FIELDS
from ..problems import Invalid
from ..challenges.schema import BadgeFields, ChallengeFields, MissionFields, parse


def _blank_to_none(form: MultiDict, names) -> dict:
    return {name: (form.get(name, "").strip() or None) for name in names}


def challenge_fields(form: MultiDict) -> ChallengeFields:
    """Raises Invalid naming each bad field."""
    data = _blank_to_none(form, DETAIL_FIELDS)
    data["description"] = form.get("description", "")
    data = {key: value for key, value in data.items() if value is not None or key in ("starts_at", "ends_at", "daily_point_cap", "auto_approve_days")}
    return parse(ChallengeFields, data)


def mission_fields(form: MultiDict) -> MissionFields:
    data = _blank_to_none(form, [name for name in MISSION_FIELDS if name != "evidence_required"])
    data["instructions"] = form.get("instructions", "")
    data["evidence_required"] = form.get("evidence_required") in ("on", "yes", "true", "1")
    data["cooldown_hours"] = data["cooldown_hours"] or 0
    data["approval"] = data["approval"] or "none"
    data["skills"] = parse_skill_weights(form.get("skills", ""))
    return parse(MissionFields, {key: value for key, value in data.items() if value is not None or key == "max_completions"})


def parse_skill_weights(text: str) -> dict[str, int]:
    """"Testing: 2, Pairing" -> {"Testing": 2, "Pairing": 1} (weight 1 when left out). Raises Invalid."""
    weights: dict[str, int] = {}
    for part in (text or "").split(","):
        name, _, weight = part.partition(":")
        name, weight = name.strip(), weight.strip() or "1"
        if not name:
            continue
        if not weight.isdigit():
            raise Invalid.one("skills", f"the weight of {name} must be a whole number from 1 to 10")
        weights[name] = int(weight)
    return weights


def skill_weights_text(weights: dict[str, int]) -> str:
    return ", ".join(f"{name}: {weight}" for name, weight in weights.items())


def badge_fields(form: MultiDict) -> BadgeFields:
    data = _blank_to_none(form, ("slug", "name", "description", "rule", "threshold", "kind", "skill", "icon"))
    data["description"] = form.get("description", "")
    return parse(BadgeFields, {key: value for key, value in data.items() if value is not None})


def challenge_values(challenge) -> dict:
    """A challenge's fields as a form shows them."""
    values = {name: getattr(challenge, name) for name in DETAIL_FIELDS}
    for name in ("starts_at", "ends_at"):
        values[name] = values[name].strftime("%Y-%m-%dT%H:%M")
    for name in ("reflection_cadence", "summary_cadence", "leaderboard_mode"):
        values[name] = values[name].value
    values["daily_point_cap"] = values["daily_point_cap"] or ""
    values["auto_approve_days"] = values["auto_approve_days"] or ""
    return values


def mission_values(mission, skills: dict[str, int] | None = None) -> dict:
    values = {name: getattr(mission, name) for name in MISSION_FIELDS}
    values["kind"] = mission.kind.value
    values["max_completions"] = mission.max_completions or ""
    values["approval"] = mission.approval.value
    values["skills"] = skill_weights_text(skills or {})
    return values


def badge_values(badge) -> dict:
    return {"slug": badge.slug, "name": badge.name, "description": badge.description, "rule": badge.rule.value,
            "threshold": badge.params.get("threshold", ""), "kind": badge.params.get("kind", ""),
            "skill": badge.params.get("skill", ""), "icon": badge.icon}
