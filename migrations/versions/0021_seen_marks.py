"""seen marks: when a person last opened a work's or a portfolio entry's page

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 12:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "seen_mark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(length=20), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_seen_mark_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seen_mark")),
        sa.UniqueConstraint(
            "user_id", "what", "object_id", name=op.f("uq_seen_mark_user_id_what_object_id")
        ),
    )


def downgrade():
    op.drop_table("seen_mark")
