"""job deadlines: when a job's current run was asked for, its rate-limit waits, and each LLM attempt's HTTP status

Revision ID: 0007_job_deadlines
Revises: 0006_invitations
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0007_job_deadlines"
down_revision = "0006_invitations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('rate_limit_waits', sa.Integer(), nullable=False, server_default='0'))
    # Jobs written before this revision count their deadline from when they were written.
    op.execute("UPDATE outbox_job SET started_at = created_at")
    with op.batch_alter_table('outbox_job', schema=None) as batch_op:
        batch_op.alter_column('rate_limit_waits', server_default=None)
    with op.batch_alter_table('llm_call', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_code', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('llm_call', schema=None) as batch_op:
        batch_op.drop_column('status_code')
    with op.batch_alter_table('outbox_job', schema=None) as batch_op:
        batch_op.drop_column('rate_limit_waits')
        batch_op.drop_column('started_at')
