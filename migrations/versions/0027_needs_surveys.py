"""needs surveys

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03 12:57:48.291503

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "needs_survey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hub_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("intro", sa.Text(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "draft",
                "open",
                "closed",
                name="survey_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_needs_survey_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["hub_id"],
            ["school.id"],
            name=op.f("fk_needs_survey_hub_id_school"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_needs_survey")),
    )
    with op.batch_alter_table("needs_survey", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_needs_survey_hub_id"), ["hub_id"], unique=False)

    op.create_table(
        "needs_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=False),
        sa.Column("other_needs", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["needs_survey.id"],
            name=op.f("fk_needs_response_survey_id_needs_survey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["teacher_id"],
            ["user.id"],
            name=op.f("fk_needs_response_teacher_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_needs_response")),
        sa.UniqueConstraint(
            "survey_id", "teacher_id", name=op.f("uq_needs_response_survey_id_teacher_id")
        ),
    )
    with op.batch_alter_table("needs_response", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_needs_response_survey_id"), ["survey_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_needs_response_teacher_id"), ["teacher_id"], unique=False
        )

    op.create_table(
        "survey_theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["needs_survey.id"],
            name=op.f("fk_survey_theme_survey_id_needs_survey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_theme")),
    )
    with op.batch_alter_table("survey_theme", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_theme_survey_id"), ["survey_id"], unique=False)

    op.create_table(
        "needs_response_format",
        sa.Column("response_id", sa.Integer(), nullable=False),
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
                name="need_format",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["needs_response.id"],
            name=op.f("fk_needs_response_format_response_id_needs_response"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("response_id", "format", name=op.f("pk_needs_response_format")),
    )
    op.create_table(
        "needs_response_subject",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["needs_response.id"],
            name=op.f("fk_needs_response_subject_response_id_needs_response"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["subject.id"],
            name=op.f("fk_needs_response_subject_subject_id_subject"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "response_id", "subject_id", name=op.f("pk_needs_response_subject")
        ),
    )
    op.create_table(
        "needs_response_theme",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["needs_response.id"],
            name=op.f("fk_needs_response_theme_response_id_needs_response"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["survey_theme.id"],
            name=op.f("fk_needs_response_theme_theme_id_survey_theme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("response_id", "theme_id", name=op.f("pk_needs_response_theme")),
    )


def downgrade():
    op.drop_table("needs_response_theme")
    op.drop_table("needs_response_subject")
    op.drop_table("needs_response_format")
    with op.batch_alter_table("survey_theme", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_theme_survey_id"))

    op.drop_table("survey_theme")
    with op.batch_alter_table("needs_response", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_needs_response_teacher_id"))
        batch_op.drop_index(batch_op.f("ix_needs_response_survey_id"))

    op.drop_table("needs_response")
    with op.batch_alter_table("needs_survey", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_needs_survey_hub_id"))

    op.drop_table("needs_survey")
