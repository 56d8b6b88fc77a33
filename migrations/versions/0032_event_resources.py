"""event resources

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-03 14:08:30.112190

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "event_resource",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["teacher_event.lesson_id"],
            name=op.f("fk_event_resource_event_id_teacher_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["resource.id"],
            name=op.f("fk_event_resource_resource_id_resource"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "resource_id", name=op.f("pk_event_resource")),
    )


def downgrade():
    op.drop_table("event_resource")
