"""reports: e-mail sent once per person, kind and key; each person's choice about digests

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02 17:30:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "mail_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "tutor_digest",
                "advisor_digest",
                "readiness",
                name="mail_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_mail_sent_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_sent")),
        sa.UniqueConstraint("user_id", "kind", "key", name=op.f("uq_mail_sent_user_id_kind_key")),
    )
    op.create_table(
        "mail_choice",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("digests", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_mail_choice_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_mail_choice")),
    )


def downgrade():
    op.drop_table("mail_choice")
    op.drop_table("mail_sent")
