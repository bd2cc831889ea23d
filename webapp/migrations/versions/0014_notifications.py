"""Notification centre, delivery preferences and the digest's once-per-week record (#14).

Notifications get a kind and become unique per (person, source), so a job that runs twice notifies once;
email gets the one-click unsubscribe link it was sent with.

Revision ID: 0014_notifications
Revises: 0013_skill_rollups
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = "0014_notifications"
down_revision = "0013_skill_rollups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Older code guarded duplicates by a look-up only: keep the first of any copies before the constraint.
    op.execute(
        "DELETE FROM notification WHERE source IS NOT NULL AND id NOT IN "
        "(SELECT MIN(id) FROM notification WHERE source IS NOT NULL GROUP BY user_id, source)"
    )
    with op.batch_alter_table("notification") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=40), nullable=False, server_default="general"))
        batch.create_unique_constraint("uq_notification_user_source", ["user_id", "source"])
        batch.create_index("ix_notification_user_unread", ["user_id", "read_at"])
    # The kinds that existed before, by their sources.
    for prefix, kind in (("summary-published:", "lesson_published"), ("completion-approved:", "approval_decided"),
                         ("challenge-closed:", "challenge_ending"), ("self-assessment-after:", "assessment_after")):
        op.execute(sa.text("UPDATE notification SET kind = :kind WHERE source LIKE :pattern")
                   .bindparams(kind=kind, pattern=prefix + "%"))
    with op.batch_alter_table("email") as batch:
        batch.add_column(sa.Column("unsubscribe_url", sa.String(length=500), nullable=True))
    op.create_table(
        "notification_preference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("email", sa.Boolean(), nullable=False),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE",
                                name=op.f("fk_notification_preference_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_preference")),
        sa.UniqueConstraint("user_id", "kind", name="uq_notification_preference_user_kind"),
    )
    op.create_table(
        "digest_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(length=10), nullable=False),
        sa.Column("email_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE", name=op.f("fk_digest_sent_user_id_user")),
        sa.ForeignKeyConstraint(["email_id"], ["email.id"], ondelete="SET NULL",
                                name=op.f("fk_digest_sent_email_id_email")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_sent")),
        sa.UniqueConstraint("user_id", "week", name="uq_digest_sent_user_week"),
    )


def downgrade() -> None:
    op.drop_table("digest_sent")
    op.drop_table("notification_preference")
    with op.batch_alter_table("email") as batch:
        batch.drop_column("unsubscribe_url")
    with op.batch_alter_table("notification") as batch:
        batch.drop_index("ix_notification_user_unread")
        batch.drop_constraint("uq_notification_user_source", type_="unique")
        batch.drop_column("kind")
