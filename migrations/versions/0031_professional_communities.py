"""professional communities

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-03 13:37:44.670417

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "community",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hub_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("theme", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("leading_school_id", sa.Integer(), nullable=False),
        sa.Column("first_year", sa.Integer(), nullable=False),
        sa.Column("last_year", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("first_year <= last_year", name=op.f("ck_community_years")),
        sa.ForeignKeyConstraint(
            ["hub_id"], ["school.id"], name=op.f("fk_community_hub_id_school"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["leading_school_id"],
            ["school.id"],
            name=op.f("fk_community_leading_school_id_school"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community")),
    )
    with op.batch_alter_table("community", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_community_hub_id"), ["hub_id"], unique=False)

    op.create_table(
        "community_school",
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_community_school_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["school.id"],
            name=op.f("fk_community_school_school_id_school"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("community_id", "school_id", name=op.f("pk_community_school")),
    )
    op.create_table(
        "community_stage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_community_stage_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_stage")),
    )
    with op.batch_alter_table("community_stage", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_community_stage_community_id"), ["community_id"], unique=False
        )

    op.create_table(
        "creative_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("task", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("result_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_creative_group_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_creative_group")),
    )
    with op.batch_alter_table("creative_group", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_creative_group_community_id"), ["community_id"], unique=False
        )

    op.create_table(
        "creative_group_member",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["creative_group.id"],
            name=op.f("fk_creative_group_member_group_id_creative_group"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_creative_group_member_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "user_id", name=op.f("pk_creative_group_member")),
    )
    op.create_table(
        "discussion_thread",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_post_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user.id"],
            name=op.f("fk_discussion_thread_author_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_discussion_thread_community_id_community"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["creative_group.id"],
            name=op.f("fk_discussion_thread_group_id_creative_group"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discussion_thread")),
    )
    with op.batch_alter_table("discussion_thread", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_discussion_thread_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_discussion_thread_group_id"), ["group_id"], unique=False
        )

    op.create_table(
        "discussion_post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user.id"],
            name=op.f("fk_discussion_post_author_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["discussion_post.id"],
            name=op.f("fk_discussion_post_parent_id_discussion_post"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["discussion_thread.id"],
            name=op.f("fk_discussion_post_thread_id_discussion_thread"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discussion_post")),
    )
    with op.batch_alter_table("discussion_post", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_discussion_post_thread_id"), ["thread_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("discussion_post", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_discussion_post_thread_id"))

    op.drop_table("discussion_post")
    with op.batch_alter_table("discussion_thread", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_discussion_thread_group_id"))
        batch_op.drop_index(batch_op.f("ix_discussion_thread_community_id"))

    op.drop_table("discussion_thread")
    op.drop_table("creative_group_member")
    with op.batch_alter_table("creative_group", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_creative_group_community_id"))

    op.drop_table("creative_group")
    with op.batch_alter_table("community_stage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_community_stage_community_id"))

    op.drop_table("community_stage")
    op.drop_table("community_school")
    with op.batch_alter_table("community", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_community_hub_id"))

    op.drop_table("community")
