"""Open badges: the issuer's signing keys and claimed badge credentials.

Revision ID: 0008_open_badges
Revises: 0007_job_deadlines
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008_open_badges"
down_revision = "0007_job_deadlines"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "issuer_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=40), nullable=False),
        sa.Column("public_key_multibase", sa.String(length=80), nullable=False),
        sa.Column("private_key_encrypted", sa.Text(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("retired_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issuer_key")),
        sa.UniqueConstraint("key_id", name=op.f("uq_issuer_key_key_id")),
    )
    op.create_table(
        "badge_credential",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=36), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("badge_id", sa.Integer(), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("key_id", sa.String(length=40), nullable=False),
        sa.Column("issued_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("revocation_reason", sa.String(length=500), nullable=False),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["award_id"], ["badge_award.id"], name=op.f("fk_badge_credential_award_id_badge_award"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["badge_id"], ["badge.id"], name=op.f("fk_badge_credential_badge_id_badge"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_badge_credential_user_id_user"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["revoked_by_id"], ["user.id"], name=op.f("fk_badge_credential_revoked_by_id_user"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_badge_credential")),
        sa.UniqueConstraint("award_id", "user_id", name="uq_badge_credential_award_user"),
        sa.UniqueConstraint("public_id", name=op.f("uq_badge_credential_public_id")),
    )
    with op.batch_alter_table("badge_credential", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_badge_credential_award_id"), ["award_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_badge_credential_badge_id"), ["badge_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_badge_credential_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("badge_credential", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_badge_credential_user_id"))
        batch_op.drop_index(batch_op.f("ix_badge_credential_badge_id"))
        batch_op.drop_index(batch_op.f("ix_badge_credential_award_id"))
    op.drop_table("badge_credential")
    op.drop_table("issuer_key")
