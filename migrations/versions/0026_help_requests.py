"""methodics: requests for help and individual routes

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-02 22:14:26.759283

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "help_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hub_id", sa.Integer(), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("difficulty", sa.Text(), nullable=False),
        sa.Column(
            "preferred_format",
            sa.Enum(
                "lecture",
                "practicum",
                "training",
                "master_class",
                "methodical_session",
                "consulting",
                "mentoring",
                "mentoring_hour",
                name="help_format",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("preferred_time", sa.String(length=300), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "sent",
                "in_route",
                "ended",
                "withdrawn",
                name="help_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=True),
        sa.Column("diagnosed_by_id", sa.Integer(), nullable=True),
        sa.Column("diagnosed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "result",
            sa.Enum(
                "closed",
                "partly",
                "not_closed",
                name="route_result",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("result_note", sa.Text(), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("feedback", sa.Text(), nullable=False),
        sa.Column("usefulness", sa.Integer(), nullable=True),
        sa.Column("feedback_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "usefulness IS NULL OR usefulness BETWEEN 1 AND 5",
            name=op.f("ck_help_request_usefulness"),
        ),
        sa.ForeignKeyConstraint(
            ["diagnosed_by_id"],
            ["user.id"],
            name=op.f("fk_help_request_diagnosed_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["hub_id"],
            ["school.id"],
            name=op.f("fk_help_request_hub_id_school"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"],
            ["user.id"],
            name=op.f("fk_help_request_mentor_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["subject.id"],
            name=op.f("fk_help_request_subject_id_subject"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["teacher_id"],
            ["user.id"],
            name=op.f("fk_help_request_teacher_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_help_request")),
    )
    with op.batch_alter_table("help_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_help_request_hub_id"), ["hub_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_help_request_mentor_id"), ["mentor_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_help_request_teacher_id"), ["teacher_id"], unique=False
        )

    op.create_table(
        "methodologist",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_methodologist_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_methodologist")),
    )
    op.create_table(
        "help_deficit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "subject",
                "methodical",
                name="deficit_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["help_request.id"],
            name=op.f("fk_help_deficit_request_id_help_request"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_help_deficit")),
    )
    with op.batch_alter_table("help_deficit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_help_deficit_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "route_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
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
                name="step_format",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("responsible_id", sa.Integer(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reflection", sa.Text(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"],
            ["user.id"],
            name=op.f("fk_route_step_confirmed_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["help_request.id"],
            name=op.f("fk_route_step_request_id_help_request"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["responsible_id"],
            ["user.id"],
            name=op.f("fk_route_step_responsible_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_route_step")),
    )
    with op.batch_alter_table("route_step", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_route_step_request_id"), ["request_id"], unique=False)

    op.create_table(
        "route_step_material",
        sa.Column("step_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["stored_file.id"],
            name=op.f("fk_route_step_material_file_id_stored_file"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["step_id"],
            ["route_step.id"],
            name=op.f("fk_route_step_material_step_id_route_step"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("step_id", "file_id", name=op.f("pk_route_step_material")),
        sa.UniqueConstraint("file_id", name=op.f("uq_route_step_material_file_id")),
    )


def downgrade():
    op.drop_table("route_step_material")
    with op.batch_alter_table("route_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_route_step_request_id"))

    op.drop_table("route_step")
    with op.batch_alter_table("help_deficit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_help_deficit_request_id"))

    op.drop_table("help_deficit")
    op.drop_table("methodologist")
    with op.batch_alter_table("help_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_help_request_teacher_id"))
        batch_op.drop_index(batch_op.f("ix_help_request_mentor_id"))
        batch_op.drop_index(batch_op.f("ix_help_request_hub_id"))

    op.drop_table("help_request")
