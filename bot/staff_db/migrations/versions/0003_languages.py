"""Languages: an FAQ entry's versions in Azerbaijani, Russian and Turkish (JSON, keyed by
language), and the language an unanswered question was asked in (for the inbox).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("faq_entries") as batch:
        batch.add_column(
            sa.Column("translations", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
    with op.batch_alter_table("unanswered") as batch:
        batch.add_column(sa.Column("language", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("unanswered") as batch:
        batch.drop_column("language")
    with op.batch_alter_table("faq_entries") as batch:
        batch.drop_column("translations")
