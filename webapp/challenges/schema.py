"""The shape of a challenge, its missions and badges, shared by the admin forms and the YAML files."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from ..inputs import date_problem
from ..play.policy import COOLDOWN_HOURS_MAX, DAILY_CAP_MAX, MAX_COMPLETIONS_MAX, MISSION_POINTS_MAX
from ..models import BadgeRule, Cadence, LeaderboardMode, MissionApproval, MissionKind
from ..problems import Invalid, Problem, from_pydantic

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _slug(value: str) -> str:
    if not SLUG_PATTERN.match(value):
        raise ValueError("use lowercase letters, digits and single hyphens, like week-of-mistakes")
    return value


def _aware(value: datetime) -> datetime:
    """Times without a zone are read as UTC, so a file means the same thing on every server."""
    if problem := date_problem(value):  # checked first: near year 1 or 9999 the zone change overflows
        raise ValueError(problem)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Slug = Annotated[str, Field(min_length=1, max_length=80), AfterValidator(_slug)]
Title = Annotated[str, Field(min_length=1, max_length=200)]
When = Annotated[datetime, AfterValidator(_aware)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ChallengeFields(Strict):
    slug: Slug
    title: Title
    description: str = Field(default="", max_length=20_000)
    starts_at: When | None = None
    ends_at: When | None = None
    reflection_cadence: Cadence = Cadence.AFTER_EACH
    summary_cadence: Cadence = Cadence.WEEKLY
    leaderboard_mode: LeaderboardMode = LeaderboardMode.FULL
    daily_point_cap: int | None = Field(default=None, ge=1, le=DAILY_CAP_MAX)
    auto_approve_days: int | None = Field(default=None, ge=1, le=366)


class MissionFields(Strict):
    slug: Slug
    title: Title
    kind: MissionKind
    points: int = Field(ge=0, le=MISSION_POINTS_MAX)
    instructions: str = Field(default="", max_length=10_000)
    evidence_required: bool = True
    max_completions: int | None = Field(default=1, ge=1, le=MAX_COMPLETIONS_MAX)
    cooldown_hours: int = Field(default=0, ge=0, le=COOLDOWN_HOURS_MAX)
    approval: MissionApproval = MissionApproval.NONE
    # The skills it builds, by name, each with a weight from 1 to 10 (its share of the completion's XP).
    skills: dict[Annotated[str, Field(min_length=1, max_length=120)], Annotated[int, Field(ge=1, le=10)]] = \
        Field(default_factory=dict, max_length=12)


def _badge_icon(name: str) -> str:
    from ..icons import BADGE_ICONS

    if name not in BADGE_ICONS:
        raise ValueError(f"choose one of the badge icons ({', '.join(BADGE_ICONS)})")
    return name


class BadgeFields(Strict):
    slug: Slug
    name: Annotated[str, Field(min_length=1, max_length=120)]
    description: str = Field(default="", max_length=500)
    rule: BadgeRule
    # Rule parameters sit beside the rule in files and forms; badge_rules checks which ones the rule takes.
    threshold: int | None = None
    kind: str | None = None
    skill: str | None = Field(default=None, max_length=120)
    # The symbol on the badge's medallion (webapp.icons.BADGE_ICONS).
    icon: Annotated[str, AfterValidator(_badge_icon)] = "award"

    def params(self) -> dict:
        return {name: value for name, value in (("threshold", self.threshold), ("kind", self.kind),
                                                ("skill", self.skill)) if value is not None}


class ChallengeDocument(ChallengeFields):
    """A whole challenge as a YAML file holds it (export, import, templates)."""

    format: Annotated[int, Field(ge=1, le=1)] = 1
    # Templates give a length instead of dates; the importer picks the start.
    duration_days: int | None = Field(default=None, ge=1, le=366)
    teams: list[Slug] = Field(default_factory=list)
    skills: list[Annotated[str, Field(min_length=1, max_length=120)]] = Field(default_factory=list)
    missions: list[MissionFields] = Field(default_factory=list, max_length=200)
    badges: list[BadgeFields] = Field(default_factory=list, max_length=100)


def parse(model: type[BaseModel], data, prefix: tuple = ()):
    """`model` built from `data`; raises Invalid with one problem per bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise Invalid(from_pydantic(error, prefix)) from None


def check_dates(starts_at: datetime | None, ends_at: datetime | None) -> list[Problem]:
    if starts_at is None:
        return [Problem(("starts_at",), "is required")]
    if ends_at is None:
        return [Problem(("ends_at",), "is required")]
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if problem := date_problem(value):
            return [Problem((name,), problem)]
    if ends_at <= starts_at:
        return [Problem(("ends_at",), "must be after the start")]
    if ends_at - starts_at > timedelta(days=366):
        return [Problem(("ends_at",), "a challenge lasts at most a year")]
    return []


def duplicate_slugs(items: list, section: str) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for index, item in enumerate(items):
        if item.slug in seen:
            problems.append(Problem((section, index, "slug"), f"duplicate slug {item.slug!r} in {section}"))
        seen.add(item.slug)
    return problems
