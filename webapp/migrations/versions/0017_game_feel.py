"""Badge icons and first-visit tracking for the game feel (#16).

Revision ID: 0017_game_feel
Revises: 0016_outbound
"""
from alembic import op
import sqlalchemy as sa


revision = "0017_game_feel"
down_revision = "0016_outbound"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
