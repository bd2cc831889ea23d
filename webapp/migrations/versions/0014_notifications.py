"""Notification centre, delivery preferences and the digest's once-per-week record (#14).

Revision ID: 0014_notifications
Revises: 0013_skill_rollups
"""
from alembic import op
import sqlalchemy as sa


revision = "0014_notifications"
down_revision = "0013_skill_rollups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
