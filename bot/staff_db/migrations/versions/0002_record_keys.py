"""Record keys on inbox questions and handoffs: a write the action server queued (the database
was locked) and retries, or replays after a restart, is stored once, never twice.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("unanswered", "handoffs"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("record_key", sa.String(64), nullable=True))
            batch.create_unique_constraint(f"uq_{table}_record_key", ["record_key"])


def downgrade() -> None:
    for table in ("unanswered", "handoffs"):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"uq_{table}_record_key", type_="unique")
            batch.drop_column("record_key")
