"""What the workers write and people review: reflection prompts, reflections, lesson summaries, LLM calls."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import created_at_field, enum_field


class PromptStatus(StrEnum):
    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"
    ANSWERED = "answered"


class Visibility(StrEnum):
    PRIVATE = "private"
    TEAM = "team"


class SummaryStatus(StrEnum):
    GENERATING = "generating"
    DRAFT = "draft"
    FAILED = "failed"
    APPROVED = "approved"
    PUBLISHED = "published"
    REJECTED = "rejected"


class ReflectionPrompt(SQLModel, table=True):
    __tablename__ = "reflection_prompt"
    __table_args__ = (Index("ix_reflection_prompt_user_status", "user_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    # Stable key of the work ("completion:42"): the same prompt is never written twice.
    work_key: str = Field(max_length=80, unique=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    challenge_id: int = Field(foreign_key="challenge.id", index=True, ondelete="CASCADE")
    completion_id: int | None = Field(default=None, foreign_key="completion.id", ondelete="SET NULL")
    status: PromptStatus = enum_field(PromptStatus, default=PromptStatus.PENDING)
    text: str | None = Field(default=None, sa_type=Text)
    template_name: str | None = Field(default=None, max_length=80)
    template_version: str | None = Field(default=None, max_length=40)
    writer: str | None = Field(default=None, max_length=80)  # "offline" or the model's name
    error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = created_at_field()
    ready_at: datetime | None = None


class Reflection(SQLModel, table=True):
    __table_args__ = (Index("ix_reflection_challenge_team", "challenge_id", "team_id", "visibility"),)

    id: int | None = Field(default=None, primary_key=True)
    prompt_id: int | None = Field(default=None, foreign_key="reflection_prompt.id", unique=True, ondelete="SET NULL")
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    challenge_id: int = Field(foreign_key="challenge.id", ondelete="CASCADE")
    team_id: int = Field(foreign_key="team.id", ondelete="CASCADE")
    body: str = Field(sa_type=Text)
    visibility: Visibility = enum_field(Visibility, default=Visibility.PRIVATE)
    created_at: datetime = created_at_field()


class LessonSummary(SQLModel, table=True):
    """A team's lessons for a challenge; its text lives in versions, its state here."""

    __tablename__ = "lesson_summary"
    __table_args__ = (Index("ix_lesson_summary_team_status", "team_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    work_key: str = Field(max_length=80, unique=True)
    team_id: int = Field(foreign_key="team.id", ondelete="CASCADE")
    challenge_id: int = Field(foreign_key="challenge.id", index=True, ondelete="CASCADE")
    trigger: str = Field(max_length=20)  # on_demand, cadence, close
    status: SummaryStatus = enum_field(SummaryStatus, default=SummaryStatus.GENERATING)
    current_version: int = Field(default=0)
    # Optimistic lock: a save that read an older revision is refused instead of overwriting.
    revision: int = Field(default=0)
    rejection_reason: str | None = Field(default=None, sa_type=Text)
    error: str | None = Field(default=None, sa_type=Text)
    requested_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()
    published_at: datetime | None = None


class LessonSummaryVersion(SQLModel, table=True):
    __tablename__ = "lesson_summary_version"
    __table_args__ = (UniqueConstraint("summary_id", "number", name="uq_summary_version_number"),)

    id: int | None = Field(default=None, primary_key=True)
    summary_id: int = Field(foreign_key="lesson_summary.id", index=True, ondelete="CASCADE")
    number: int
    # {"key_lessons": [{"text", "citations": [reflection ids]}], "practices": [...], "mistakes": [...],
    #  "open_questions": [...], "next_experiments": [...]}
    content: dict = Field(default_factory=dict, sa_type=JSON)
    guidance: str | None = Field(default=None, sa_type=Text)
    writer: str | None = Field(default=None, max_length=80)
    template_version: str | None = Field(default=None, max_length=40)
    edited_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()


class Lesson(SQLModel, table=True):
    """One published lesson, as the library searches and shows it."""

    id: int | None = Field(default=None, primary_key=True)
    summary_id: int = Field(foreign_key="lesson_summary.id", index=True, ondelete="CASCADE")
    version_id: int = Field(foreign_key="lesson_summary_version.id", ondelete="CASCADE")
    team_id: int = Field(foreign_key="team.id", index=True, ondelete="CASCADE")
    challenge_id: int = Field(foreign_key="challenge.id", index=True, ondelete="CASCADE")
    section: str = Field(max_length=30)
    text: str = Field(sa_type=Text)
    mission_kinds: list = Field(default_factory=list, sa_type=JSON)
    citations: list = Field(default_factory=list, sa_type=JSON)
    published_at: datetime = created_at_field()


class LlmCall(SQLModel, table=True):
    __tablename__ = "llm_call"

    id: int | None = Field(default=None, primary_key=True)
    work_key: str | None = Field(default=None, max_length=80, index=True)
    template_name: str = Field(max_length=80)
    template_version: str = Field(max_length=40)
    model: str = Field(max_length=80)
    tokens_in: int = Field(default=0)
    tokens_out: int = Field(default=0)
    latency_ms: int = Field(default=0)
    outcome: str = Field(max_length=20)  # ok, invalid, error, timeout, rate_limited, quota
    error: str | None = Field(default=None, sa_type=Text)
    request_id: str | None = Field(default=None, max_length=120)
    status_code: int | None = None  # the HTTP status of this attempt; None when no answer came (timeout)
    created_at: datetime = created_at_field()
