"""What admins configure: challenges, their teams, missions, badge rules and target skills."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import created_at_field, enum_field


class ChallengeStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RUNNING = "running"
    CLOSED = "closed"
    ARCHIVED = "archived"


class LeaderboardMode(StrEnum):
    FULL = "full"
    ANONYMOUS = "anonymous"
    RELATIVE = "relative"


class Cadence(StrEnum):
    NONE = "none"
    AFTER_EACH = "after_each"
    DAILY = "daily"
    WEEKLY = "weekly"


class MissionKind(StrEnum):
    LEARN = "learn"
    SHARE = "share"
    EXPERIMENT = "experiment"
    HELP = "help"
    FEEDBACK = "feedback"


class BadgeRule(StrEnum):
    """The fixed vocabulary of badge rules; parameters live in Badge.params."""

    MISSIONS_COMPLETED = "missions_completed"  # threshold, optional kind
    STREAK_DAYS = "streak_days"  # threshold
    POINTS_REACHED = "points_reached"  # threshold
    REFLECTIONS_WRITTEN = "reflections_written"  # threshold
    KUDOS_GIVEN = "kudos_given"  # threshold
    KUDOS_RECEIVED = "kudos_received"  # threshold
    TEAM_ALL_COMPLETED_KIND = "team_all_completed_kind"  # kind
    TEAM_POINTS_REACHED = "team_points_reached"  # threshold
    SKILL_LEVEL_REACHED = "skill_level_reached"  # threshold (a skill level), skill


class MissionApproval(StrEnum):
    """Whether a completion counts at once or waits for a lead to confirm its evidence."""

    NONE = "none"
    LEAD = "lead"


class BadgeScope(StrEnum):
    INDIVIDUAL = "individual"
    TEAM = "team"


class Challenge(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True, index=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_type=Text)  # markdown, sanitised when rendered
    starts_at: datetime
    ends_at: datetime
    status: ChallengeStatus = enum_field(ChallengeStatus, default=ChallengeStatus.DRAFT, index=True)
    reflection_cadence: Cadence = enum_field(Cadence, default=Cadence.AFTER_EACH)
    summary_cadence: Cadence = enum_field(Cadence, default=Cadence.WEEKLY)
    leaderboard_mode: LeaderboardMode = enum_field(LeaderboardMode, default=LeaderboardMode.FULL)
    daily_point_cap: int | None = Field(default=None, ge=1)
    # Completions waiting for a lead's approval are approved by themselves after this many days; None: never.
    auto_approve_days: int | None = Field(default=None, ge=1)
    created_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class ChallengeTeam(SQLModel, table=True):
    """A team taking part in a challenge."""

    __tablename__ = "challenge_team"

    challenge_id: int = Field(foreign_key="challenge.id", primary_key=True, ondelete="CASCADE")
    team_id: int = Field(foreign_key="team.id", primary_key=True, index=True, ondelete="CASCADE")


class Mission(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("challenge_id", "slug", name="uq_mission_challenge_slug"),)

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenge.id", index=True, ondelete="CASCADE")
    slug: str = Field(max_length=80)
    title: str = Field(max_length=200)
    kind: MissionKind = enum_field(MissionKind)
    points: int = Field(ge=0, le=1000)
    instructions: str = Field(default="", sa_type=Text)
    evidence_required: bool = Field(default=True)
    # How often one person may complete it: None means no limit.
    # No column default: with one, SQLAlchemy would store 1 when None ("no limit") is set on insert.
    max_completions: int | None = Field(default=1, ge=1, sa_column_kwargs={"default": None})
    cooldown_hours: int = Field(default=0, ge=0)
    approval: MissionApproval = enum_field(MissionApproval, default=MissionApproval.NONE)
    position: int = Field(default=0)
    # A mission with completions is retired, never deleted, so the ledger keeps its meaning.
    retired_at: datetime | None = None
    created_at: datetime = created_at_field()


class Badge(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("challenge_id", "slug", name="uq_badge_challenge_slug"),)

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenge.id", index=True, ondelete="CASCADE")
    slug: str = Field(max_length=80)
    name: str = Field(max_length=120)
    description: str = Field(default="", max_length=500)
    rule: BadgeRule = enum_field(BadgeRule, index=True)
    scope: BadgeScope = enum_field(BadgeScope, default=BadgeScope.INDIVIDUAL)
    params: dict = Field(default_factory=dict, sa_type=JSON)
    # The symbol on the badge's medallion, chosen by the admin from webapp.icons.BADGE_ICONS.
    icon: str = Field(default="award", max_length=40, sa_column_kwargs={"server_default": "award"})
    retired_at: datetime | None = None
    created_at: datetime = created_at_field()


class Skill(SQLModel, table=True):
    """A skill a challenge targets; participants rate themselves on it before and after."""

    __table_args__ = (UniqueConstraint("challenge_id", "name", name="uq_skill_challenge_name"),)

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenge.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=120)
    position: int = Field(default=0)


class MissionSkill(SQLModel, table=True):
    """A skill a mission builds, with its weight: a completion's points times the weight are that skill's XP."""

    __tablename__ = "mission_skill"

    mission_id: int = Field(foreign_key="mission.id", primary_key=True, ondelete="CASCADE")
    skill_id: int = Field(foreign_key="skill.id", primary_key=True, index=True, ondelete="CASCADE")
    weight: int = Field(default=1, ge=1, le=10)
