"""The live knowledge base (issue 14): its revisions and the source page versions.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_revisions",
        sa.Column("revision", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("path", sa.String(400), nullable=True),
        sa.Column("changed", sa.JSON(), nullable=False),
        sa.Column("imported", sa.JSON(), nullable=True),
        sa.Column("who", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
        sa.CheckConstraint("revision >= 1", name="ck_kb_revisions_revision"),
        sa.PrimaryKeyConstraint("revision", name="pk_kb_revisions"),
    )
    op.create_table(
        "kb_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("replaces", sa.String(200), nullable=True),
        sa.Column("resolutions", sa.JSON(), nullable=False, server_default=sa.text("'{}'")),
        sa.Column("who", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("state IN ('current', 'pending', 'old')", name="ck_kb_sources_state"),
        sa.PrimaryKeyConstraint("id", name="pk_kb_sources"),
        sa.UniqueConstraint("name", name="uq_kb_sources_name"),
    )
    # The marker row exists from the start, so concurrent first writers queue on its row lock.
    settings = sa.table("settings", sa.column("key", sa.String), sa.column("value", sa.Text))
    op.bulk_insert(settings, [{"key": "kb_revision", "value": "0"}])


def downgrade() -> None:
    op.execute("DELETE FROM settings WHERE key IN ('kb_revision', 'kb_import_sha256')")
    op.drop_table("kb_sources")
    op.drop_table("kb_revisions")
