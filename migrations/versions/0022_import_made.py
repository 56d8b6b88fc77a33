"""imports: the people a finished import made, for its page to list them

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 12:30:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("import_job") as batch:
        batch.add_column(sa.Column("made_json", sa.Text(), server_default="[]", nullable=False))


def downgrade():
    with op.batch_alter_table("import_job") as batch:
        batch.drop_column("made_json")
