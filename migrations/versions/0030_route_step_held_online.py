"""route step held online

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-03 13:29:35.267485

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("route_step", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_lesson_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_route_step_event_lesson_id_lesson"),
            "lesson",
            ["event_lesson_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("route_step", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_route_step_event_lesson_id_lesson"), type_="foreignkey"
        )
        batch_op.drop_column("event_lesson_id")
