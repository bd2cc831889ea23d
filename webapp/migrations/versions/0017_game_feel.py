"""Badge icons and first-visit tracking for the game feel (#16).

Revision ID: 0017_game_feel
Revises: 0016_outbound
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0017_game_feel"
down_revision = "0016_outbound"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("badge") as batch:
        batch.add_column(sa.Column("icon", sa.String(length=40), nullable=False, server_default="award"))
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("first_seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("welcomed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    # People who already used Learnloop are not newcomers: no welcome, and "Welcome back" from now on.
    op.execute(sa.text('UPDATE "user" SET first_seen_at = created_at, welcomed_at = created_at'))


def downgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.drop_column("welcomed_at")
        batch.drop_column("first_seen_at")
    with op.batch_alter_table("badge") as batch:
        batch.drop_column("icon")
