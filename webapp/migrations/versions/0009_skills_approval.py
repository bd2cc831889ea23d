"""Missions name the skills they build (with weights) and may need a lead's approval; completions wait for it.

Revision ID: 0009_skills_approval
Revises: 0008_open_badges
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0009_skills_approval"
down_revision = "0008_open_badges"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mission_skill",
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("skill_id", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["mission_id"], ["mission.id"], name=op.f("fk_mission_skill_mission_id_mission"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["skill_id"], ["skill.id"], name=op.f("fk_mission_skill_skill_id_skill"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("mission_id", "skill_id", name=op.f("pk_mission_skill")),
    )
    with op.batch_alter_table("mission_skill") as batch:
        batch.create_index(batch.f("ix_mission_skill_skill_id"), ["skill_id"], unique=False)
    with op.batch_alter_table("mission") as batch:
        batch.add_column(sa.Column("approval", sa.String(length=4), nullable=False, server_default="none"))
    with op.batch_alter_table("challenge") as batch:
        batch.add_column(sa.Column("auto_approve_days", sa.Integer(), nullable=True))
    with op.batch_alter_table("completion") as batch:
        batch.add_column(sa.Column("status", sa.String(length=9), nullable=False, server_default="approved"))
        batch.add_column(sa.Column("reviewed_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("reviewed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("review_feedback", sa.Text(), nullable=False, server_default=""))
        batch.create_foreign_key(batch.f("fk_completion_reviewed_by_id_user"), "user", ["reviewed_by_id"], ["id"],
                                 ondelete="SET NULL")
        batch.create_index(batch.f("ix_completion_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("completion") as batch:
        batch.drop_index(batch.f("ix_completion_status"))
        batch.drop_constraint(batch.f("fk_completion_reviewed_by_id_user"), type_="foreignkey")
        batch.drop_column("review_feedback")
        batch.drop_column("reviewed_at")
        batch.drop_column("reviewed_by_id")
        batch.drop_column("status")
    with op.batch_alter_table("challenge") as batch:
        batch.drop_column("auto_approve_days")
    with op.batch_alter_table("mission") as batch:
        batch.drop_column("approval")
    with op.batch_alter_table("mission_skill") as batch:
        batch.drop_index(batch.f("ix_mission_skill_skill_id"))
    op.drop_table("mission_skill")
