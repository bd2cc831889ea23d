"""One schema per resource the API reads or writes, built from the app's own models and rule results.

Output schemas read attributes straight off the SQLModel rows (`from_attributes`); input schemas are strict
non-table models, because SQLModel table models skip validation.
"""
from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from ..models import ChallengeStatus, CompletionStatus, LeaderboardMode, MissionApproval, MissionKind, Role
from ..models import TokenScope

# Ids are INTEGER columns (32 bits on PostgreSQL): the document says so, and a larger id is a 422, not a query.
ID_MAX = 2**31 - 1
ID = Field(ge=1, le=ID_MAX)


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# ---- paths and queries -------------------------------------------------------------------------------------

class ChallengePath(BaseModel):
    challenge_id: int = ID


class MissionPath(BaseModel):
    mission_id: int = ID


class TeamPath(BaseModel):
    team_id: int = ID


class PersonPath(BaseModel):
    user_id: int = ID


class SkillQuery(BaseModel):
    challenge_id: int = ID


class LessonQuery(BaseModel):
    q: str = Field(default="", max_length=200, description="Words to search for; empty lists the newest lessons.")
    team_id: int | None = Field(default=None, ge=1, le=ID_MAX)
    challenge_id: int | None = Field(default=None, ge=1, le=ID_MAX)
    kind: MissionKind | None = None
    page: int = Field(default=1, ge=1, le=10_000)


class PageQuery(BaseModel):
    cursor: str | None = Field(default=None, max_length=40, pattern=r"^[0-9]{1,19}$",
                               description="The `next_cursor` of the previous page; absent for the first page.")
    limit: int = Field(default=100, ge=1, le=1000)


class CompletionHeader(BaseModel):
    idempotency_key: str = Field(alias="Idempotency-Key", min_length=1, max_length=100, pattern=r"^[\x21-\x7e]+$",
                                 description="Any unique string per completion (a UUID): the same key sent again "
                                             "returns the first answer and counts nothing twice.")


class CompletionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    evidence_text: str = Field(default="", max_length=5000)
    evidence_url: str | None = Field(default=None, max_length=2000)


# ---- resources ---------------------------------------------------------------------------------------------

class ChallengeOut(Out):
    id: int
    slug: str
    title: str
    description: str = Field(description="Markdown, as the admin wrote it.")
    starts_at: datetime
    ends_at: datetime
    status: ChallengeStatus
    leaderboard_mode: LeaderboardMode
    daily_point_cap: int | None


class ChallengeList(BaseModel):
    challenges: list[ChallengeOut]


class MissionOut(Out):
    id: int
    challenge_id: int
    slug: str
    title: str
    kind: MissionKind
    points: int
    instructions: str
    evidence_required: bool
    max_completions: int | None
    cooldown_hours: int
    approval: MissionApproval
    retired: bool


class MissionList(BaseModel):
    missions: list[MissionOut]


class TeamOut(Out):
    id: int
    name: str
    slug: str


class TeamList(BaseModel):
    teams: list[TeamOut]


class MemberOut(BaseModel):
    user_id: int
    display_name: str
    is_lead: bool


class MemberList(BaseModel):
    team: TeamOut
    members: list[MemberOut]


class Me(BaseModel):
    user_id: int
    display_name: str
    role: Role
    token_scope: TokenScope
    token_expires_at: datetime


class LevelOut(BaseModel):
    number: int
    name: str


class PointsOut(BaseModel):
    user_id: int
    points: int = Field(description="Every point the person earned, across challenges (their XP).")
    level: LevelOut
    by_challenge: dict[str, int] = Field(description="Points per challenge id.")


class BadgeOut(BaseModel):
    badge_id: int
    challenge_id: int
    name: str
    description: str
    team_badge: bool
    awarded_at: datetime


class BadgeList(BaseModel):
    user_id: int
    badges: list[BadgeOut]


class SkillOut(BaseModel):
    skill_id: int
    name: str
    xp: int
    level: int
    level_name: str
    next_level_at: int | None
    self_rating_before: int | None
    self_rating_after: int | None


class SkillList(BaseModel):
    user_id: int
    challenge_id: int
    skills: list[SkillOut]


class TeamStandingOut(BaseModel):
    rank: int
    team_id: int
    name: str
    points: int
    active_members: int
    score: float = Field(description="Points per active member, so small teams are not outscored by headcount.")


class PersonStandingOut(BaseModel):
    rank: int
    name: str = Field(description="'Anonymous participant' where the board's mode or the person's choice hides it.")
    team: str
    points: int
    is_me: bool


class LeaderboardOut(BaseModel):
    challenge_id: int
    mode: LeaderboardMode
    teams: list[TeamStandingOut]
    people: list[PersonStandingOut]


class LessonOut(BaseModel):
    id: int
    summary_id: int
    team_id: int
    team: str
    challenge_id: int
    challenge: str
    section: str
    text: str = Field(description="As the reader may see it: names hidden outside the lesson's team.")
    mission_kinds: list[str]
    published_at: datetime


class LessonList(BaseModel):
    lessons: list[LessonOut]
    page: int
    has_more: bool


class CompletionOut(BaseModel):
    id: int
    mission_id: int
    challenge_id: int
    status: CompletionStatus
    points: int = Field(description="Points this completion gave (0 while it waits for a lead's approval).")
    total_points: int = Field(description="The person's points across challenges after it.")
    level: LevelOut
    level_up: bool
    badges: list[str] = Field(description="Names of the badges this completion earned.")
    repeated: bool = Field(description="True when the Idempotency-Key was used before: this is the first answer.")
    message: str = Field(description="What the page would have said.")


class CompletionRow(Out):
    id: int
    mission_id: int
    challenge_id: int
    user_id: int
    team_id: int
    status: CompletionStatus
    points_awarded: int
    evidence_text: str
    evidence_url: str | None
    created_at: datetime


class CompletionPage(BaseModel):
    items: list[CompletionRow]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class PointEventRow(Out):
    id: int
    user_id: int
    team_id: int
    challenge_id: int
    amount: int
    reason: str
    source_type: str
    source_id: int
    created_at: datetime


class PointEventPage(BaseModel):
    items: list[PointEventRow]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")
