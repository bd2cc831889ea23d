"""Points rules: feedback idempotency keys and admin point adjustments.

Revision ID: 0002_points_rules
Revises: 0001
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0002_points_rules"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_feedback_idempotency_key"), ["idempotency_key"])

    op.create_table(
        "point_adjustment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("admin_id", sa.Integer(), nullable=True),
        sa.Column("admin_name", sa.String(length=120), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint("amount <> 0", name=op.f("ck_point_adjustment_amount_not_zero")),
        sa.ForeignKeyConstraint(["admin_id"], ["user.id"], name=op.f("fk_point_adjustment_admin_id_user"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["challenge_id"], ["challenge.id"],
                                name=op.f("fk_point_adjustment_challenge_id_challenge"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_point_adjustment_team_id_team"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_point_adjustment_user_id_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_point_adjustment")),
    )
    with op.batch_alter_table("point_adjustment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_point_adjustment_challenge_id"), ["challenge_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_point_adjustment_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("point_adjustment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_point_adjustment_user_id"))
        batch_op.drop_index(batch_op.f("ix_point_adjustment_challenge_id"))
    op.drop_table("point_adjustment")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_feedback_idempotency_key"), type_="unique")
        batch_op.drop_column("idempotency_key")
