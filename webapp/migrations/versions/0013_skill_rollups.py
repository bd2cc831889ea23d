"""XP per skill from the rollups: completion points per mission and team (daily and all-time); rollups count
approved evidence only, so they are emptied here and recounted from the sources by the next refresh.

Revision ID: 0013_skill_rollups
Revises: 0009_skills_approval
"""
from alembic import op
import sqlalchemy as sa


revision = "0013_skill_rollups"
down_revision = "0009_skills_approval"
branch_labels = None
depends_on = None

ROLLUPS = ("team_day", "mission_day", "activity_day_bits", "mission_completer_day_bits", "activity_total",
           "team_total", "mission_total", "mission_completer")


def _recount() -> None:
    """Forget every rollup: the minute tick rolls the ledger, completions and reflections up again from id 0."""
    for table in ROLLUPS:
        op.execute(sa.text(f"DELETE FROM {table}"))
    op.execute("UPDATE rollup_state SET point_event_id = 0, completion_id = 0, reflection_id = 0, gaps = '{}'")


def upgrade() -> None:
    for table in ("mission_day", "mission_total"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("points", sa.Integer(), nullable=False, server_default="0"))
    _recount()


def downgrade() -> None:
    for table in ("mission_day", "mission_total"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("points")
    _recount()
