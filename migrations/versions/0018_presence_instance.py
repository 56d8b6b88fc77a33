"""presence intervals carry the web instance whose socket holds them

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 13:30:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("presence_interval", schema=None) as batch_op:
        batch_op.add_column(sa.Column("instance", sa.String(length=80), nullable=True))


def downgrade():
    with op.batch_alter_table("presence_interval", schema=None) as batch_op:
        batch_op.drop_column("instance")
