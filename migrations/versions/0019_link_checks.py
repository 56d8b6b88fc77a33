"""link checks: each school's measured link to the server

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 19:40:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "link_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("measured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("down_kbps", sa.Integer(), nullable=False),
        sa.Column("up_kbps", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "down_kbps > 0 AND up_kbps > 0", name=op.f("ck_link_check_rates_positive")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["school.id"],
            name=op.f("fk_link_check_school_id_school"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_link_check_user_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_check")),
    )
    op.create_index(
        "ix_link_check_school_measured", "link_check", ["school_id", "measured_at"], unique=False
    )


def downgrade():
    op.drop_index("ix_link_check_school_measured", table_name="link_check")
    op.drop_table("link_check")
