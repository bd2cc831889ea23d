"""user.session_generation: revoking every session of an account

Revision ID: 0005_session_generation
Revises: 0004_llm_privacy
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = "0005_session_generation"
down_revision = "0004_llm_privacy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_generation", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("session_generation")
