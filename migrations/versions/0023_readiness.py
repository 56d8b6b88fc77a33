"""reports: the hub's readiness rules and the readiness reports of its sessions

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 16:30:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "readiness_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hub_id", sa.Integer(), nullable=False),
        sa.Column("min_attendance", sa.Integer(), nullable=False),
        sa.Column("count_caught_up", sa.Boolean(), nullable=False),
        sa.Column("excused_reasons", sa.Text(), nullable=False),
        sa.Column("no_missing_work", sa.Boolean(), nullable=False),
        sa.Column("min_average", sa.Numeric(precision=3, scale=1), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "min_attendance BETWEEN 0 AND 100", name=op.f("ck_readiness_rules_attendance_range")
        ),
        sa.CheckConstraint(
            "min_average IS NULL OR (min_average >= 0 AND min_average <= 5)",
            name=op.f("ck_readiness_rules_average_range"),
        ),
        sa.ForeignKeyConstraint(
            ["hub_id"],
            ["school.id"],
            name=op.f("fk_readiness_rules_hub_id_school"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_readiness_rules")),
        sa.UniqueConstraint("hub_id", name=op.f("uq_readiness_rules_hub_id")),
    )
    op.create_table(
        "readiness_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("built_by_id", sa.Integer(), nullable=True),
        sa.Column("window_starts_on", sa.Date(), nullable=False),
        sa.Column("window_ends_on", sa.Date(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["built_by_id"],
            ["user.id"],
            name=op.f("fk_readiness_report_built_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["year_session.id"],
            name=op.f("fk_readiness_report_session_id_year_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_readiness_report")),
    )
    op.create_index(
        "ix_readiness_report_session_built",
        "readiness_report",
        ["session_id", "built_at"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_readiness_report_session_built", table_name="readiness_report")
    op.drop_table("readiness_report")
    op.drop_table("readiness_rules")
