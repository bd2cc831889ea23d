"""Each person decides whether the organisation-wide library shows their name in lessons (default: no).

Revision ID: 0004_llm_privacy
Revises: 0003_sso_profiles
"""
from alembic import op
import sqlalchemy as sa


revision = "0004_llm_privacy"
down_revision = "0003_sso_profiles"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("show_name_in_library", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.drop_column("show_name_in_library")
