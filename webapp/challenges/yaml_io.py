"""Challenges as YAML files: export, import (validated, with the line of each problem), shipped templates."""
from __future__ import annotations

import math
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import yaml
from sqlmodel import Session, select

from ..models import Badge, Challenge, ChallengeTeam, Mission, MissionApproval, MissionSkill, Skill, Team, User
from .badge_rules import ChallengeShape, scope_of, validate_params
from .challenges import DETAIL_FIELDS, slug_taken
from .missions import FIELDS as MISSION_FIELDS
from .missions import missions_of, skills_by_mission
from ..problems import Invalid, Problem
from .schema import ChallengeDocument, check_dates, duplicate_slugs, parse

MAX_BYTES = 256 * 1024
# Limits on the file's structure, checked while it is read, so an odd file costs milliseconds, not minutes.
# A real challenge nests four levels deep (document, missions, a mission, its fields) and has at most
# 200 missions and 100 badges of about a dozen values each.
MAX_DEPTH = 20
MAX_VALUES = 20_000
MAX_KEYS = 100  # in one mapping
MAX_DIGITS = 18  # in one number: every number a challenge takes fits in a 64-bit column
MAX_PROBLEMS = 50  # listed on the page; the rest are counted
TEMPLATES_DIR = Path(__file__).parent / "templates"


# --- export -----------------------------------------------------------------------------------------------

def export_challenge(session: Session, challenge: Challenge) -> str:
    """The challenge as a YAML document that import_challenge reads back."""
    document: dict = {"format": 1}
    for name in DETAIL_FIELDS:
        value = getattr(challenge, name)
        if isinstance(value, datetime):
            value = value.astimezone(UTC).isoformat()
        elif hasattr(value, "value"):
            value = value.value
        document[name] = value
    document["teams"] = [team.slug for team in session.exec(
        select(Team).join(ChallengeTeam).where(ChallengeTeam.challenge_id == challenge.id).order_by(Team.slug))]
    document["skills"] = [skill.name for skill in session.exec(
        select(Skill).where(Skill.challenge_id == challenge.id).order_by(Skill.position))]
    weights = skills_by_mission(session, challenge.id)
    document["missions"] = []
    for m in missions_of(session, challenge):
        entry = {name: getattr(m, name) for name in MISSION_FIELDS if name != "approval"}
        entry["kind"] = m.kind.value
        if m.approval != MissionApproval.NONE:  # written only when it differs from the default, as files are
            entry["approval"] = m.approval.value
        if weights.get(m.id):
            entry["skills"] = weights[m.id]
        document["missions"].append(entry)
    document["badges"] = []
    for badge in session.exec(select(Badge).where(Badge.challenge_id == challenge.id, Badge.retired_at.is_(None))
                              .order_by(Badge.id)):
        entry = {"slug": badge.slug, "name": badge.name, "description": badge.description, "rule": badge.rule.value}
        if badge.icon != "award":
            entry["icon"] = badge.icon
        entry.update(badge.params)
        document["badges"].append(entry)
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


class _Dumper(yaml.SafeDumper):
    """Multi-line text (descriptions, instructions) as readable `|` blocks."""


def _text(dumper: yaml.SafeDumper, value: str):
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _text)


# --- reading ----------------------------------------------------------------------------------------------

def read_document(text: str | bytes) -> tuple[dict, yaml.Node]:
    """The YAML's data and node tree. Raises Invalid (with a line) for oversized, malformed or odd files."""
    raw = text.encode() if isinstance(text, str) else text
    if len(raw) > MAX_BYTES:
        raise Invalid([Problem((), f"the file is {math.ceil(len(raw) / 1024)} KB; the limit is {MAX_BYTES // 1024} KB")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Invalid([Problem((), f"the file is not UTF-8 text (byte {error.start})")]) from None
    try:
        loader = _BoundedLoader(text)  # the reader refuses control characters (NUL ...) here already
    except yaml.YAMLError as error:
        raise Invalid([Problem((), f"this is not valid YAML: {error}")]) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise Invalid([Problem((), "the file is empty")])
        _check_nodes(node)
        try:
            data = loader.construct_document(node)
        except (ValueError, OverflowError) as error:  # e.g. a date in year 0
            raise Invalid([Problem((), f"a value in the file cannot be read: {error}")]) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        detail = error.problem or str(error)
        if error.context and error.context_mark:  # e.g. where the unclosed quote began
            detail += f" ({error.context}, which began on line {error.context_mark.line + 1})"
        raise Invalid([Problem((), f"this is not valid YAML: {detail}", line)]) from None
    except yaml.YAMLError as error:
        raise Invalid([Problem((), f"this is not valid YAML: {error}")]) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise Invalid([Problem((), "the file must be a mapping of keys (slug, title, missions ...)", node.start_mark.line + 1)])
    return data, node


class _BoundedLoader(yaml.SafeLoader):
    """A safe loader that stops reading at MAX_DEPTH levels of nesting or MAX_VALUES values."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0
        self._values = 0

    def compose_node(self, parent, index):
        self._depth += 1
        self._values += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _too_large(f"the values nest more than {MAX_DEPTH} levels deep", self.peek_event().start_mark)
            if self._values > MAX_VALUES:
                raise _too_large(f"the file holds more than {MAX_VALUES:,} values", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _check_nodes(node: yaml.Node) -> None:
    """Refuse duplicate keys (YAML would silently keep the last), aliases (they can blow up in size),
    mappings with more than MAX_KEYS keys and numbers longer than MAX_DIGITS digits."""
    seen: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            raise yaml.MarkedYAMLError(problem="anchors and aliases (&, *) are not supported",
                                       problem_mark=current.start_mark)
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            if len(current.value) > MAX_KEYS:
                raise _too_large(f"a mapping with {len(current.value):,} keys (at most {MAX_KEYS})", current.start_mark)
            keys: set = set()
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in keys:
                        raise yaml.MarkedYAMLError(problem=f"the key {key.value!r} appears twice",
                                                   problem_mark=key.start_mark)
                    keys.add(key.value)
                stack += [key, value]
        elif isinstance(current, yaml.SequenceNode):
            stack += current.value
        elif current.tag == "tag:yaml.org,2002:int" and len(current.value.lstrip("+-")) > MAX_DIGITS:
            raise _too_large(f"a number with {len(current.value):,} digits (at most {MAX_DIGITS})", current.start_mark)


def _too_large(what: str, mark: yaml.Mark) -> Invalid:
    return Invalid([Problem((), f"the file is larger than a challenge can be: {what}", mark.line + 1)])


def line_of(node: yaml.Node, loc: tuple) -> int | None:
    """The line (1-based) of the field at path `loc`: the deepest node the path reaches."""
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == str(part)), None)
            if match is None:
                return line
            key, node = match
            line = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


# --- import -----------------------------------------------------------------------------------------------

def next_monday(now: datetime) -> datetime:
    days = (7 - now.weekday()) % 7 or 7
    return datetime.combine((now + timedelta(days=days)).date(), time(9, 0), tzinfo=UTC)


def validate_document(session: Session, text: str | bytes, default_start: datetime | None = None) -> ChallengeDocument:
    """The checked document. Raises Invalid listing every problem with its line and field."""
    data, node = read_document(text)
    try:
        document = parse(ChallengeDocument, data)
        problems = _check_document(session, document, default_start)
    except Invalid as error:
        problems = error.problems
    if problems:
        shown = [Problem(p.loc, p.message, p.line or line_of(node, p.loc)) for p in problems[:MAX_PROBLEMS]]
        if len(problems) > MAX_PROBLEMS:
            shown.append(Problem((), f"and {len(problems) - MAX_PROBLEMS:,} more problems"))
        raise Invalid(shown)
    return document


def _check_document(session: Session, document: ChallengeDocument, default_start: datetime | None) -> list[Problem]:
    problems: list[Problem] = []
    if document.starts_at is None and default_start is not None:
        document.starts_at = default_start
    if document.ends_at is None and document.starts_at is not None and document.duration_days:
        document.ends_at = document.starts_at + timedelta(days=document.duration_days)
    if document.ends_at is None and not document.duration_days:
        problems.append(Problem(("ends_at",), "give ends_at, or duration_days for a template"))
    else:
        problems += check_dates(document.starts_at, document.ends_at)
    if slug_taken(session, document.slug):
        problems.append(Problem(("slug",), f"a challenge with the slug {document.slug!r} already exists"))
    problems += duplicate_slugs(document.missions, "missions") + duplicate_slugs(document.badges, "badges")
    known = set(session.exec(select(Team.slug).where(Team.slug.in_(document.teams))).all()) if document.teams else set()
    for index, slug in enumerate(document.teams):
        if slug not in known:
            problems.append(Problem(("teams", index), f"there is no team with the slug {slug!r}"))
    if len(set(document.skills)) != len(document.skills):
        problems.append(Problem(("skills",), "each skill may appear once"))
    for index, mission in enumerate(document.missions):
        for name in mission.skills:
            if name not in document.skills:
                problems.append(Problem(("missions", index, "skills", name),
                                        f"{name!r} is not in the challenge's skills list"))
    days = None
    if document.starts_at and document.ends_at:
        days = max(1, math.ceil((document.ends_at - document.starts_at).total_seconds() / 86400))
    shape = ChallengeShape(duration_days=days, mission_kinds=frozenset(m.kind for m in document.missions),
                           skills=frozenset(document.skills))
    for index, badge in enumerate(document.badges):
        try:
            validate_params(badge.rule, badge.params(), shape, prefix=("badges", index))
        except Invalid as error:
            problems += error.problems
    return problems


def import_challenge(session: Session, text: str | bytes, created_by: User | None = None,
                     default_start: datetime | None = None) -> Challenge:
    """Create a draft challenge from YAML (the caller commits). Raises Invalid, having added nothing."""
    document = validate_document(session, text, default_start)
    challenge = Challenge(**document.model_dump(include=set(DETAIL_FIELDS)),
                          created_by_id=created_by.id if created_by else None)
    session.add(challenge)
    session.flush()
    missions = []
    for position, mission in enumerate(document.missions, start=1):
        missions.append(Mission(challenge_id=challenge.id, position=position,
                                **mission.model_dump(include=set(MISSION_FIELDS))))
        session.add(missions[-1])
    for badge in document.badges:
        session.add(Badge(challenge_id=challenge.id, slug=badge.slug, name=badge.name, description=badge.description,
                          rule=badge.rule, scope=scope_of(badge.rule), params=validate_params(badge.rule, badge.params()),
                          icon=badge.icon))
    skills = {}
    for position, name in enumerate(document.skills, start=1):
        skills[name] = Skill(challenge_id=challenge.id, name=name, position=position)
        session.add(skills[name])
    session.flush()
    for mission, fields in zip(missions, document.missions):
        for name, weight in fields.skills.items():
            session.add(MissionSkill(mission_id=mission.id, skill_id=skills[name].id, weight=weight))
    if document.teams:
        for team in session.exec(select(Team).where(Team.slug.in_(document.teams))):
            session.add(ChallengeTeam(challenge_id=challenge.id, team_id=team.id))
    session.flush()
    return challenge


# --- shipped templates ------------------------------------------------------------------------------------

def list_templates() -> list[dict]:
    """The shipped templates: name (file stem), title and a one-line description."""
    templates = []
    for path in sorted(TEMPLATES_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        text = " ".join((data.get("description") or "").split())
        summary = text.split(". ")[0].rstrip(".") + "." if text else ""
        templates.append({"name": path.stem, "title": data["title"], "summary": summary,
                          "days": data.get("duration_days"), "missions": len(data.get("missions", []))})
    return templates


def import_template(session: Session, name: str, created_by: User | None = None, starts_at: datetime | None = None,
                    now: datetime | None = None) -> Challenge:
    """A draft from shipped template `name`, starting next Monday unless told; the slug gets a suffix if taken."""
    path = TEMPLATES_DIR / f"{name}.yaml"
    if path.parent != TEMPLATES_DIR or not path.is_file():
        raise LookupError(name)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    base, suffix = data["slug"], 1
    while slug_taken(session, data["slug"]):
        suffix += 1
        data["slug"] = f"{base}-{suffix}"
    start = starts_at or next_monday(now or datetime.now(UTC))
    return import_challenge(session, yaml.safe_dump(data, sort_keys=False), created_by, default_start=start)
