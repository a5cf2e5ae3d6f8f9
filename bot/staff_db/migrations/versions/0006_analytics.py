"""The analytics aggregate (issue 15), read incrementally from the tracker store.

One row per question part (a message with no answer metadata, such as a domain response, is one
row with no outcome, so it still counts as a message), and one row per conversation; from them,
per Baku day, the small tables the dashboard reads: counts by channel, language, topic and
outcome (`analytics_daily`), messages by hour (`analytics_hourly`) and questions by their
normalised text (`analytics_questions`). Parts are keyed by the student's message (its sender,
Rasa's message id and time; not the event id, which SQLite reuses after the newest rows are
deleted), so a re-read never counts twice; conversations by the inbox's salted hash, never the
raw sender id. The watermark (the last tracker event read) lives in `settings` under
`analytics_watermark`, with the tracker store it belongs to (`analytics_source`).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analytics_parts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("message_key", sa.String(64), nullable=False),
        sa.Column("message_event", sa.BigInteger(), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("conversation", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(50), nullable=False),
        sa.Column("language", sa.String(8)),
        sa.Column("intent", sa.String(100)),
        sa.Column("topic", sa.String(50)),
        sa.Column("outcome", sa.String(20)),
        sa.Column("faq_entry", sa.Integer()),
        sa.Column("question", sa.Text()),
        sa.Column("question_key", sa.String(200)),
        sa.PrimaryKeyConstraint("id", name="pk_analytics_parts"),
        sa.UniqueConstraint("message_key", "part", name="uq_analytics_parts_message_key"),
    )
    op.create_index("ix_analytics_parts_day", "analytics_parts", ["day"])
    op.create_index("ix_analytics_parts_conversation", "analytics_parts", ["conversation"])
    op.create_table(
        "analytics_conversations",
        sa.Column("conversation", sa.String(64), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(50), nullable=False),
        sa.Column("language", sa.String(8)),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("conversation", name="pk_analytics_conversations"),
    )
    op.create_index(
        "ix_analytics_conversations_first_day",
        "analytics_conversations",
        ["first_day", "channel", "language"],
    )
    op.create_table(
        "analytics_daily",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(50), nullable=False),
        sa.Column("language", sa.String(8)),
        sa.Column("topic", sa.String(50)),
        sa.Column("outcome", sa.String(20)),
        sa.Column("parts", sa.Integer(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_analytics_daily"),
    )
    op.create_index(
        "ix_analytics_daily_day",
        "analytics_daily",
        ["day", "channel", "language", "outcome", "topic", "parts", "messages"],
    )
    op.create_table(
        "analytics_hourly",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(50), nullable=False),
        sa.Column("language", sa.String(8)),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_analytics_hourly"),
    )
    op.create_index(
        "ix_analytics_hourly_day",
        "analytics_hourly",
        ["day", "channel", "language", "hour", "messages"],
    )
    op.create_table(
        "analytics_questions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(50), nullable=False),
        sa.Column("language", sa.String(8)),
        sa.Column("question_key", sa.String(200), nullable=False),
        sa.Column("asked", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("unanswered", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("topic", sa.String(50)),
        sa.Column("repeated", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_analytics_questions"),
    )
    op.create_index(
        "ix_analytics_questions_day",
        "analytics_questions",
        ["repeated", "day", "channel", "language", "question_key", "asked", "unanswered"],
    )
    op.create_index("ix_analytics_questions_key", "analytics_questions", ["question_key"])


def downgrade() -> None:
    for table in ("analytics_questions", "analytics_hourly", "analytics_daily"):
        op.drop_table(table)
    op.drop_index("ix_analytics_conversations_first_day", table_name="analytics_conversations")
    op.drop_table("analytics_conversations")
    op.drop_index("ix_analytics_parts_conversation", table_name="analytics_parts")
    op.drop_index("ix_analytics_parts_day", table_name="analytics_parts")
    op.drop_table("analytics_parts")
    op.execute("DELETE FROM settings WHERE key IN ('analytics_watermark', 'analytics_source')")
