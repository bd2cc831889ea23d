"""Personal and service API tokens (#19).

Revision ID: 0015_api_tokens
Revises: 0014_notifications
"""
from alembic import op
import sqlalchemy as sa


revision = "0015_api_tokens"
down_revision = "0014_notifications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
