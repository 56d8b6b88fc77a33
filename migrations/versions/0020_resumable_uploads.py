"""resumable uploads: files on their way, in chunks that survive a dropped link

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 05:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "resumable_upload",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("length", sa.BigInteger(), nullable=False),
        sa.Column("received", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("touched_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "received >= 0 AND received <= length",
            name=op.f("ck_resumable_upload_received_within_length"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user.id"],
            name=op.f("fk_resumable_upload_owner_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resumable_upload")),
    )
    op.create_index(
        op.f("ix_resumable_upload_owner_id"), "resumable_upload", ["owner_id"], unique=False
    )
    op.create_index(
        op.f("ix_resumable_upload_touched_at"), "resumable_upload", ["touched_at"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_resumable_upload_touched_at"), table_name="resumable_upload")
    op.drop_index(op.f("ix_resumable_upload_owner_id"), table_name="resumable_upload")
    op.drop_table("resumable_upload")
