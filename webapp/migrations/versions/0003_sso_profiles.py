"""Single sign-on identities and group mappings; profiles: chosen time zone, leaderboard name, avatar.

Revision ID: 0003_sso_profiles
Revises: 0002_points_rules
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0003_sso_profiles"
down_revision = "0002_points_rules"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timezone_chosen", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("show_on_leaderboards", sa.Boolean(), server_default=sa.true(),
                                      nullable=False))
        batch_op.add_column(sa.Column("avatar_version", sa.Integer(), server_default="0", nullable=False))

    op.create_table(
        "avatar",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("image", sa.LargeBinary(), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_avatar_user_id_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_avatar")),
    )
    op.create_table(
        "user_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("issuer", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_sign_in_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_user_identity_user_id_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_identity")),
        sa.UniqueConstraint("issuer", "subject", name="uq_user_identity_issuer_subject"),
    )
    with op.batch_alter_table("user_identity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_identity_user_id"), ["user_id"], unique=False)

    op.create_table(
        "group_mapping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idp_group", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_group_mapping_team_id_team"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_mapping")),
    )
    with op.batch_alter_table("group_mapping", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_group_mapping_idp_group"), ["idp_group"], unique=False)
        batch_op.create_index(batch_op.f("ix_group_mapping_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("group_mapping", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_mapping_team_id"))
        batch_op.drop_index(batch_op.f("ix_group_mapping_idp_group"))
    op.drop_table("group_mapping")
    with op.batch_alter_table("user_identity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_identity_user_id"))
    op.drop_table("user_identity")
    op.drop_table("avatar")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("avatar_version")
        batch_op.drop_column("show_on_leaderboards")
        batch_op.drop_column("timezone_chosen")
