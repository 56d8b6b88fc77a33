"""teacher events

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-03 13:22:36.291383

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "teacher_event",
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("hub_id", sa.Integer(), nullable=False),
        sa.Column(
            "format",
            sa.Enum(
                "seminar",
                "webinar",
                "master_class",
                "mentoring_hour",
                "conference",
                "open_lesson",
                name="event_format",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("organizer_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["hub_id"],
            ["school.id"],
            name=op.f("fk_teacher_event_hub_id_school"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lesson_id"],
            ["lesson.id"],
            name=op.f("fk_teacher_event_lesson_id_lesson"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organizer_id"],
            ["user.id"],
            name=op.f("fk_teacher_event_organizer_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("lesson_id", name=op.f("pk_teacher_event")),
    )
    with op.batch_alter_table("teacher_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_teacher_event_hub_id"), ["hub_id"], unique=False)

    # A teachers' event is a lesson of its own kind, without a cohort and maybe without a subject.
    with op.batch_alter_table("lesson", schema=None) as batch_op:
        batch_op.alter_column("subject_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.drop_constraint(op.f("ck_lesson_lesson_kind"), type_="check")
        batch_op.drop_constraint(op.f("ck_lesson_lesson_has_cohort"), type_="check")
        batch_op.create_check_constraint(
            "lesson_kind", "kind IN ('lesson', 'consultation', 'teacher_event')"
        )
        batch_op.create_check_constraint(
            "lesson_has_cohort",
            "kind IN ('consultation', 'teacher_event') OR cohort_id IS NOT NULL",
        )
        batch_op.create_check_constraint(
            "lesson_has_subject", "kind = 'teacher_event' OR subject_id IS NOT NULL"
        )


def downgrade():
    op.execute("DELETE FROM lesson WHERE kind = 'teacher_event'")
    with op.batch_alter_table("lesson", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_lesson_lesson_has_subject"), type_="check")
        batch_op.drop_constraint(op.f("ck_lesson_lesson_has_cohort"), type_="check")
        batch_op.drop_constraint(op.f("ck_lesson_lesson_kind"), type_="check")
        batch_op.create_check_constraint("lesson_kind", "kind IN ('lesson', 'consultation')")
        batch_op.create_check_constraint(
            "lesson_has_cohort", "kind = 'consultation' OR cohort_id IS NOT NULL"
        )
        batch_op.alter_column("subject_id", existing_type=sa.INTEGER(), nullable=False)

    with op.batch_alter_table("teacher_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_teacher_event_hub_id"))

    op.drop_table("teacher_event")
