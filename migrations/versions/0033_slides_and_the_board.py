"""slides and the board

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-03 16:35:14.999865

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "slide_deck",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("folder", sa.String(length=40), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "rendering",
                "ready",
                "failed",
                name="deck_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("failure", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rendered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "page_count BETWEEN 1 AND 200", name=op.f("ck_slide_deck_page_count_range")
        ),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["stored_file.id"],
            name=op.f("fk_slide_deck_file_id_stored_file"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["lesson_id"],
            ["lesson.id"],
            name=op.f("fk_slide_deck_lesson_id_lesson"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slide_deck")),
        sa.UniqueConstraint("folder", name=op.f("uq_slide_deck_folder")),
    )
    with op.batch_alter_table("slide_deck", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_slide_deck_lesson_id"), ["lesson_id"], unique=False)

    op.create_table(
        "board_stroke",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("deck_id", sa.Integer(), nullable=True),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("line", sa.String(length=16), nullable=False),
        sa.Column("tool", sa.String(length=16), nullable=False),
        sa.Column("colour", sa.String(length=16), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("points", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("page BETWEEN 1 AND 200", name=op.f("ck_board_stroke_page_range")),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user.id"],
            name=op.f("fk_board_stroke_author_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["deck_id"],
            ["slide_deck.id"],
            name=op.f("fk_board_stroke_deck_id_slide_deck"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lesson_id"],
            ["lesson.id"],
            name=op.f("fk_board_stroke_lesson_id_lesson"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_stroke")),
    )
    with op.batch_alter_table("board_stroke", schema=None) as batch_op:
        batch_op.create_index(
            "ix_board_stroke_page", ["lesson_id", "deck_id", "page"], unique=False
        )

    op.create_table(
        "board_turn",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("deck_id", sa.Integer(), nullable=True),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("page BETWEEN 0 AND 200", name=op.f("ck_board_turn_page_range")),
        sa.ForeignKeyConstraint(
            ["deck_id"],
            ["slide_deck.id"],
            name=op.f("fk_board_turn_deck_id_slide_deck"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lesson_id"],
            ["lesson.id"],
            name=op.f("fk_board_turn_lesson_id_lesson"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_turn")),
    )
    with op.batch_alter_table("board_turn", schema=None) as batch_op:
        batch_op.create_index("ix_board_turn_lesson_at", ["lesson_id", "at"], unique=False)


def downgrade():
    with op.batch_alter_table("board_turn", schema=None) as batch_op:
        batch_op.drop_index("ix_board_turn_lesson_at")

    op.drop_table("board_turn")
    with op.batch_alter_table("board_stroke", schema=None) as batch_op:
        batch_op.drop_index("ix_board_stroke_page")

    op.drop_table("board_stroke")
    with op.batch_alter_table("slide_deck", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slide_deck_lesson_id"))

    op.drop_table("slide_deck")
