"""a counter per table, raised by every committed write: what cached page fragments check

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-23 02:50:46.653777

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    # Rows appear with the first write to each table; a missing row reads as 0.
    op.create_table(
        "data_generation",
        sa.Column("table_name", sa.String(length=80), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("table_name", name=op.f("pk_data_generation")),
    )


def downgrade():
    op.drop_table("data_generation")
