"""ICU collations for names in Russian, Kazakh, English and no language in particular

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 10:30:00.000000

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# A frozen copy of intersession.core.collation's list: this revision must not move with the code.
LANGUAGES = ("ru", "kk", "en", "und")


def upgrade():
    # SQLite has no stored collations: the application registers them on every connection.
    if op.get_bind().dialect.name != "postgresql":
        return
    for language in LANGUAGES:
        op.execute(
            f"CREATE COLLATION IF NOT EXISTS intersession_{language}"
            f" (provider = icu, locale = '{language}')"
        )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for language in LANGUAGES:
        op.execute(f"DROP COLLATION IF EXISTS intersession_{language}")
