"""What participants do: enrol, complete missions, earn points (append-only ledger), badges, kudos."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import created_at_field, enum_field


class PointReason(StrEnum):
    COMPLETION = "completion"
    REFLECTION = "reflection"
    KUDOS_RECEIVED = "kudos_received"
    ADJUSTMENT = "adjustment"


class CompletionStatus(StrEnum):
    """A completion counts when APPROVED; one that needs a lead waits as PENDING, or is SENT_BACK for more."""

    APPROVED = "approved"
    PENDING = "pending"
    SENT_BACK = "sent_back"


class Enrolment(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("challenge_id", "user_id", name="uq_enrolment_challenge_user"),)

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenge.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    team_id: int = Field(foreign_key="team.id", index=True, ondelete="CASCADE")
    enrolled_at: datetime = created_at_field()


class Completion(SQLModel, table=True):
    __table_args__ = (
        Index("ix_completion_user_mission", "user_id", "mission_id", "created_at"),
        Index("ix_completion_challenge_created", "challenge_id", "created_at"),
        # The programme dashboards ask, per enrolment, "did this person complete anything in the range?".
        Index("ix_completion_challenge_user_created", "challenge_id", "user_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Client-supplied key (one per rendered form): a double click or a retry counts once.
    idempotency_key: str = Field(max_length=64, unique=True)
    mission_id: int = Field(foreign_key="mission.id", index=True, ondelete="CASCADE")
    challenge_id: int = Field(foreign_key="challenge.id", ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    team_id: int = Field(foreign_key="team.id", index=True, ondelete="CASCADE")
    evidence_text: str = Field(default="", sa_type=Text)
    evidence_url: str | None = Field(default=None, max_length=2000)
    points_awarded: int = Field(default=0)
    status: CompletionStatus = enum_field(CompletionStatus, default=CompletionStatus.APPROVED, index=True)
    # The lead's last word: who, when, and (when sent back) what to improve, shown to the person.
    reviewed_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    reviewed_at: datetime | None = None
    review_feedback: str = Field(default="", sa_type=Text)
    created_at: datetime = created_at_field()


class PointEvent(SQLModel, table=True):
    """The append-only ledger: every total derives from these rows; none is updated or deleted."""

    __tablename__ = "point_event"
    __table_args__ = (
        UniqueConstraint("source_type", "source_id", "user_id", name="uq_point_event_source"),
        # Covering indexes: every total (a person's, a team's, the boards) sums `amount` from the index
        # alone, so its cost follows that person's or team's events, not where they lie in a huge ledger.
        Index("ix_point_event_user_totals", "challenge_id", "user_id", "amount"),
        Index("ix_point_event_team_totals", "challenge_id", "team_id", "user_id", "amount"),
        Index("ix_point_event_user_created", "user_id", "created_at", "amount"),
        Index("ix_point_event_challenge_user_created", "challenge_id", "user_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    team_id: int = Field(foreign_key="team.id", ondelete="CASCADE")
    challenge_id: int = Field(foreign_key="challenge.id", ondelete="CASCADE")
    amount: int
    reason: PointReason = enum_field(PointReason)
    # What earned the points (e.g. "completion", 42): unique per user so it is never counted twice.
    source_type: str = Field(max_length=30)
    source_id: int
    created_at: datetime = created_at_field()


class PointAdjustment(SQLModel, table=True):
    """An admin's correction of a person's points: why and by whom. Its ledger row (reason ADJUSTMENT,
    source "adjustment") carries the signed amount, so totals, levels and boards follow it."""

    __tablename__ = "point_adjustment"
    __table_args__ = (CheckConstraint("amount <> 0", name="amount_not_zero"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    challenge_id: int = Field(foreign_key="challenge.id", index=True, ondelete="CASCADE")
    team_id: int = Field(foreign_key="team.id", ondelete="CASCADE")
    amount: int
    reason: str = Field(sa_type=Text)
    # The admin who made it; kept as a name too, so the trail still says who if that account is deleted.
    admin_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    admin_name: str = Field(max_length=120)
    created_at: datetime = created_at_field()


class BadgeAward(SQLModel, table=True):
    __tablename__ = "badge_award"
    # subject is "user:<id>" or "team:<id>": one unique constraint covers both scopes on both backends.
    __table_args__ = (UniqueConstraint("badge_id", "subject", name="uq_badge_award_subject"),)

    id: int | None = Field(default=None, primary_key=True)
    badge_id: int = Field(foreign_key="badge.id", index=True, ondelete="CASCADE")
    challenge_id: int = Field(foreign_key="challenge.id", index=True, ondelete="CASCADE")
    subject: str = Field(max_length=40)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True, ondelete="CASCADE")
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True, ondelete="CASCADE")
    awarded_at: datetime = created_at_field()


class Kudos(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("giver_id", "item_type", "item_id", name="uq_kudos_giver_item"),
        CheckConstraint("giver_id <> receiver_id", name="not_self"),
        Index("ix_kudos_item", "item_type", "item_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    giver_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    receiver_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    challenge_id: int = Field(foreign_key="challenge.id", ondelete="CASCADE")
    item_type: str = Field(max_length=20)  # "completion" or "reflection"
    item_id: int
    created_at: datetime = created_at_field()


class Feedback(SQLModel, table=True):
    """Constructive feedback from a teammate on a completion or a shared reflection."""

    __table_args__ = (Index("ix_feedback_item", "item_type", "item_id"),)

    id: int | None = Field(default=None, primary_key=True)
    # Client-supplied key (one per rendered form), as for completions: a double click or a retry stores once.
    idempotency_key: str | None = Field(default=None, max_length=64, unique=True)
    author_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    receiver_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    challenge_id: int = Field(foreign_key="challenge.id", ondelete="CASCADE")
    item_type: str = Field(max_length=20)
    item_id: int
    body: str = Field(sa_type=Text)
    created_at: datetime = created_at_field()


class AssessmentPhase(StrEnum):
    BEFORE = "before"
    AFTER = "after"


class SelfAssessment(SQLModel, table=True):
    __tablename__ = "self_assessment"
    __table_args__ = (
        UniqueConstraint("user_id", "skill_id", "phase", name="uq_self_assessment"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    team_id: int = Field(foreign_key="team.id", ondelete="CASCADE")
    challenge_id: int = Field(foreign_key="challenge.id", index=True, ondelete="CASCADE")
    skill_id: int = Field(foreign_key="skill.id", ondelete="CASCADE")
    phase: AssessmentPhase = enum_field(AssessmentPhase)
    rating: int = Field(ge=1, le=5)
    created_at: datetime = created_at_field()
