"""presence intervals remember when their socket was last seen

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 10:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("presence_interval", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seen_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_presence_interval_left_at", ["left_at"], unique=False)


def downgrade():
    with op.batch_alter_table("presence_interval", schema=None) as batch_op:
        batch_op.drop_index("ix_presence_interval_left_at")
        batch_op.drop_column("seen_at")
