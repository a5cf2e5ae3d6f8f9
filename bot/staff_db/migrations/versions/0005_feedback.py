"""Students' feedback on answers (issue 15): a `feedback` table (one row per 👍/👎, with the
question, what the answer rested on and a salted conversation hash, never the sender id), and an
inbox question's `kind` and `comment`, so an answer marked wrong reaches staff as its own kind.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("value", sa.String(8), nullable=False),
        sa.Column("comment", sa.Text()),
        sa.Column("question", sa.Text()),
        sa.Column("answer_ref", sa.JSON(), nullable=False),
        sa.Column("topic", sa.String(100)),
        sa.Column("intent", sa.String(100)),
        sa.Column("language", sa.String(8)),
        sa.Column("channel", sa.String(50), nullable=False),
        sa.Column("conversation_hash", sa.String(64), nullable=False),
        sa.Column("record_key", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_feedback"),
        sa.UniqueConstraint("record_key", name="uq_feedback_record_key"),
        sa.CheckConstraint("value IN ('up', 'down')", name="ck_feedback_value"),
    )
    op.create_index("ix_feedback_created_at", "feedback", ["created_at"])
    with op.batch_alter_table("unanswered") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(16), nullable=False, server_default=sa.text("'unanswered'"))
        )
        batch.add_column(sa.Column("comment", sa.Text(), nullable=True))
        batch.create_check_constraint("ck_unanswered_kind", "kind IN ('unanswered', 'wrong')")


def downgrade() -> None:
    with op.batch_alter_table("unanswered") as batch:
        batch.drop_constraint("ck_unanswered_kind", type_="check")
        batch.drop_column("comment")
        batch.drop_column("kind")
    op.drop_index("ix_feedback_created_at", table_name="feedback")
    op.drop_table("feedback")
