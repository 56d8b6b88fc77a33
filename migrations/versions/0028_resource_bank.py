"""resource bank

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-03 13:11:06.248211

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "resource",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hub_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "lesson_plan",
                "situational_task",
                "presentation",
                "open_lesson",
                "methodical_guide",
                "other",
                name="resource_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("grade", sa.Integer(), nullable=True),
        sa.Column("theme", sa.String(length=300), nullable=False),
        sa.Column(
            "format",
            sa.Enum(
                "lecture",
                "practicum",
                "training",
                "master_class",
                "methodical_session",
                "consulting",
                "mentoring",
                "mentoring_hour",
                name="resource_format",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("link", sa.String(length=1000), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "submitted",
                "published",
                "returned",
                name="resource_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("downloads", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "grade IS NULL OR grade BETWEEN 0 AND 11", name=op.f("ck_resource_grade")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user.id"], name=op.f("fk_resource_author_id_user"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["hub_id"], ["school.id"], name=op.f("fk_resource_hub_id_school"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["user.id"],
            name=op.f("fk_resource_reviewed_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["subject.id"],
            name=op.f("fk_resource_subject_id_subject"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource")),
    )
    with op.batch_alter_table("resource", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_resource_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_resource_hub_id"), ["hub_id"], unique=False)

    op.create_table(
        "resource_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user.id"],
            name=op.f("fk_resource_comment_author_id_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["resource.id"],
            name=op.f("fk_resource_comment_resource_id_resource"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource_comment")),
    )
    with op.batch_alter_table("resource_comment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_resource_comment_resource_id"), ["resource_id"], unique=False
        )

    op.create_table(
        "resource_file",
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["stored_file.id"],
            name=op.f("fk_resource_file_file_id_stored_file"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["resource.id"],
            name=op.f("fk_resource_file_resource_id_resource"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("resource_id", "file_id", name=op.f("pk_resource_file")),
        sa.UniqueConstraint("file_id", name=op.f("uq_resource_file_file_id")),
    )
    op.create_table(
        "resource_rating",
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.CheckConstraint("stars BETWEEN 1 AND 5", name=op.f("ck_resource_rating_stars")),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["resource.id"],
            name=op.f("fk_resource_rating_resource_id_resource"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["teacher_id"],
            ["user.id"],
            name=op.f("fk_resource_rating_teacher_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("resource_id", "teacher_id", name=op.f("pk_resource_rating")),
    )
    op.create_table(
        "route_step_resource",
        sa.Column("step_id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["resource.id"],
            name=op.f("fk_route_step_resource_resource_id_resource"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["step_id"],
            ["route_step.id"],
            name=op.f("fk_route_step_resource_step_id_route_step"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("step_id", "resource_id", name=op.f("pk_route_step_resource")),
    )


def downgrade():
    op.drop_table("route_step_resource")
    op.drop_table("resource_rating")
    op.drop_table("resource_file")
    with op.batch_alter_table("resource_comment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resource_comment_resource_id"))

    op.drop_table("resource_comment")
    with op.batch_alter_table("resource", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resource_hub_id"))
        batch_op.drop_index(batch_op.f("ix_resource_author_id"))

    op.drop_table("resource")
