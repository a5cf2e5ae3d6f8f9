"""Initial staff schema: FAQ entries + revisions, inbox, handoffs, users, login attempts, settings.

Revision ID: 0001
Revises:
Create Date: 2024-06-01

Spelt out rather than imported from tables.py: a migration must keep creating what it created the
day it was written, whatever tables.py says later (a test compares the two).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "faq_entries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("question_key", sa.String(400), nullable=False),
        sa.Column("phrasings", sa.JSON(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("fact_ref", sa.String(200)),
        sa.Column("source_url", sa.Text()),
        sa.Column("owner", sa.String(100), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("review_by", sa.Date(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _when("updated_at"),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.Column("imported_hash", sa.String(64)),
        sa.Column("import_version", sa.Integer()),
        sa.PrimaryKeyConstraint("id", name="pk_faq_entries"),
        sa.UniqueConstraint("question_key", name="uq_faq_entries_question_key"),
        sa.CheckConstraint("state IN ('draft', 'published')", name="ck_faq_entries_state"),
        sa.CheckConstraint("version >= 1", name="ck_faq_entries_version"),
    )
    op.create_table(
        "faq_revisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("who", sa.String(100), nullable=False),
        _when("at"),
        sa.PrimaryKeyConstraint("id", name="pk_faq_revisions"),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["faq_entries.id"],
            name="fk_faq_revisions_entry_id_faq_entries",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("entry_id", "version", name="uq_faq_revisions_entry_version"),
    )
    op.create_table(
        "unanswered",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("text", sa.Text(), nullable=False),
        _when("created_at"),
        sa.Column("channel", sa.String(50), nullable=False),
        sa.Column("guessed_intent", sa.String(100)),
        sa.Column("confidence", sa.Float()),
        sa.Column("sender_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("faq_entry_id", sa.Integer(), nullable=True),
        sa.Column("handled_by", sa.String(100)),
        _when("handled_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_unanswered"),
        sa.ForeignKeyConstraint(
            ["faq_entry_id"],
            ["faq_entries.id"],
            name="fk_unanswered_faq_entry_id_faq_entries",
            ondelete="SET NULL",
        ),
        sa.CheckConstraint(
            "status IN ('open', 'dismissed', 'answered')", name="ck_unanswered_status"
        ),
    )
    op.create_index("ix_unanswered_status_id", "unanswered", ["status", "id"])
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), primary_key=True),
        _when("created_at"),
        sa.Column("channel", sa.String(50), nullable=False),
        sa.Column("sender_hash", sa.String(64), nullable=False),
        sa.Column("transcript", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("closed_by", sa.String(100)),
        _when("closed_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_handoffs"),
        sa.CheckConstraint("status IN ('open', 'closed')", name="ck_handoffs_status"),
    )
    op.create_index("ix_handoffs_status_id", "handoffs", ["status", "id"])
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(40), nullable=False),
        sa.Column("password_hash", sa.String(100), nullable=False),
        _when("created_at"),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
        _when("time"),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_login_attempts"),
    )
    op.create_index("ix_login_attempts_username_time", "login_attempts", ["username", "time"])
    op.create_index("ix_login_attempts_ip_time", "login_attempts", ["ip", "time"])
    settings = op.create_table(
        "settings",
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_settings"),
    )
    op.bulk_insert(settings, [{"key": "faq_revision", "value": "0"}])


def downgrade() -> None:
    for table in (
        "settings",
        "login_attempts",
        "users",
        "handoffs",
        "unanswered",
        "faq_revisions",
        "faq_entries",
    ):
        op.drop_table(table)
