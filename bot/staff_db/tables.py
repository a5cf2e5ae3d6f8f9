"""The tables, as SQLAlchemy Core objects; migrations/versions/ is what actually creates them.

Core rather than the ORM: every write here is a couple of explicit statements in one transaction,
and seeing them spelt out is what makes the atomicity and locking rules reviewable.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

faq_entries = Table(
    "faq_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("question", Text, nullable=False),
    # casefolded, whitespace-collapsed question: the database itself refuses a duplicate
    Column("question_key", String(400), nullable=False, unique=True),
    Column("phrasings", JSON, nullable=False),
    Column("answer", Text, nullable=False),
    # {"ru": {"question", "phrasings", "answer"}, ...}: the entry in other languages
    Column("translations", JSON, nullable=False, server_default="{}"),
    Column("tags", JSON, nullable=False),
    Column("fact_ref", String(200)),
    Column("source_url", Text),
    Column("owner", String(100), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("review_by", Date, nullable=False),
    Column("state", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(100), nullable=False),
    # what the last YAML import wrote, so a later import can tell staff edits from its own
    Column("imported_hash", String(64)),
    Column("import_version", Integer),
    CheckConstraint("state IN ('draft', 'published')", name="state"),
    CheckConstraint("version >= 1", name="version"),
)

faq_revisions = Table(
    "faq_revisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("entry_id", Integer, ForeignKey("faq_entries.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("action", String(16), nullable=False),
    Column("snapshot", JSON, nullable=False),
    Column("who", String(100), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("entry_id", "version", name="uq_faq_revisions_entry_version"),
)

unanswered = Table(
    "unanswered",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("text", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("channel", String(50), nullable=False),
    Column("guessed_intent", String(100)),
    Column("confidence", Float),
    Column("language", String(8)),  # the language the question was asked in (en, az, ru, tr)
    Column("sender_hash", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column(
        "faq_entry_id", Integer, ForeignKey("faq_entries.id", ondelete="SET NULL"), nullable=True
    ),
    Column("handled_by", String(100)),
    Column("handled_at", DateTime(timezone=True)),
    # set by the action server's outbox (bot/faq/outbox.py): a retried write is stored once
    Column("record_key", String(64), unique=True),
    # 'wrong': an answer a student marked 👎 (the question, and their comment if they gave one)
    Column("kind", String(16), nullable=False, server_default="unanswered"),
    Column("comment", Text),
    CheckConstraint("status IN ('open', 'dismissed', 'answered')", name="status"),
    CheckConstraint("kind IN ('unanswered', 'wrong')", name="kind"),
    Index("ix_unanswered_status_id", "status", "id"),
)

# Students' 👍/👎 on answers (bot/staff_db/feedback.py); the conversation only as a salted hash.
feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("value", String(8), nullable=False),
    Column("comment", Text),
    Column("question", Text),
    # {"facts": [fact paths], "faq_entries": [ids]}: what the answer rested on
    Column("answer_ref", JSON, nullable=False),
    Column("topic", String(100)),
    Column("intent", String(100)),
    Column("language", String(8)),
    Column("channel", String(50), nullable=False),
    Column("conversation_hash", String(64), nullable=False),
    # one per student message (the action server's outbox): a retried write is stored once
    Column("record_key", String(64), nullable=False, unique=True),
    CheckConstraint("value IN ('up', 'down')", name="value"),
    Index("ix_feedback_created_at", "created_at"),
)

handoffs = Table(
    "handoffs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("channel", String(50), nullable=False),
    Column("sender_hash", String(64), nullable=False),
    Column("transcript", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("closed_by", String(100)),
    Column("closed_at", DateTime(timezone=True)),
    Column("record_key", String(64), unique=True),
    CheckConstraint("status IN ('open', 'closed')", name="status"),
    Index("ix_handoffs_status_id", "status", "id"),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(40), nullable=False, unique=True),
    Column("password_hash", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled", Boolean, nullable=False),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(100), nullable=False),
    Column("ip", String(64), nullable=False),
    Column("time", DateTime(timezone=True), nullable=False),
    Column("success", Boolean, nullable=False),
    Index("ix_login_attempts_username_time", "username", "time"),
    Index("ix_login_attempts_ip_time", "ip", "time"),
)

settings = Table(
    "settings",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)

FAQ_MARKER_KEY = "faq_revision"  # bumped in the same transaction as every FAQ write
INBOX_SALT_KEY = "inbox_salt"

ANALYTICS_WATERMARK_KEY = "analytics_watermark"  # the last tracker event id the aggregate read
ANALYTICS_SOURCE_KEY = "analytics_source"  # the tracker store it reads (a URL, no password)

# The analytics aggregate (bot/analytics/aggregate.py): one row per question part, keyed by the
# student's message, so re-reading an event never counts it twice.
analytics_parts = Table(
    "analytics_parts",
    metadata,
    Column("id", Integer, primary_key=True),
    # the student's message: a hash of its sender, Rasa's message id and time; the event id alone
    # is not unique over time (SQLite reuses ids after the newest rows were deleted)
    Column("message_key", String(64), nullable=False),
    Column("message_event", BigInteger, nullable=False),  # the tracker event id (order)
    Column("part", Integer, nullable=False),
    Column("conversation", String(64), nullable=False),  # salted hash, never the sender id
    Column("at", DateTime(timezone=True), nullable=False),
    Column("day", Date, nullable=False),  # Asia/Baku
    Column("hour", Integer, nullable=False),  # Asia/Baku
    Column("channel", String(50), nullable=False),
    Column("language", String(8)),
    Column("intent", String(100)),
    Column("topic", String(50)),
    Column("outcome", String(20)),  # None: a message whose reply said nothing (a domain response)
    Column("faq_entry", Integer),
    Column("question", Text),  # None once its conversation was deleted by reference
    Column("question_key", String(200)),
    UniqueConstraint("message_key", "part", name="uq_analytics_parts_message_key"),
    Index("ix_analytics_parts_day", "day"),
    Index("ix_analytics_parts_conversation", "conversation"),
)

# Counted where it started: its first message's Baku day, channel and language.
analytics_conversations = Table(
    "analytics_conversations",
    metadata,
    Column("conversation", String(64), primary_key=True),
    Column("first_day", Date, nullable=False),
    Column("channel", String(50), nullable=False),
    Column("language", String(8)),
    Column("first_at", DateTime(timezone=True), nullable=False),
    Column("last_at", DateTime(timezone=True), nullable=False),
    Column("messages", Integer, nullable=False),
    Index("ix_analytics_conversations_first_day", "first_day", "channel", "language"),
)

# Per Baku day, recomputed from analytics_parts for every day a refresh touches: what the
# dashboard reads, so 100,000 conversations render in well under a second. The indexes cover
# the queries (no table lookups).
analytics_daily = Table(
    "analytics_daily",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("day", Date, nullable=False),
    Column("channel", String(50), nullable=False),
    Column("language", String(8)),
    Column("topic", String(50)),
    Column("outcome", String(20)),
    Column("parts", Integer, nullable=False),
    Column("messages", Integer, nullable=False),  # student messages (their first part)
    Index(
        "ix_analytics_daily_day",
        "day",
        "channel",
        "language",
        "outcome",
        "topic",
        "parts",
        "messages",
    ),
)

analytics_hourly = Table(
    "analytics_hourly",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("day", Date, nullable=False),
    Column("hour", Integer, nullable=False),
    Column("channel", String(50), nullable=False),
    Column("language", String(8)),
    Column("messages", Integer, nullable=False),
    Index("ix_analytics_hourly_day", "day", "channel", "language", "hour", "messages"),
)

analytics_questions = Table(
    "analytics_questions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("day", Date, nullable=False),
    Column("channel", String(50), nullable=False),
    Column("language", String(8)),
    Column("question_key", String(200), nullable=False),
    Column("asked", Integer, nullable=False),
    Column("answered", Integer, nullable=False),
    Column("unanswered", Integer, nullable=False),
    Column("text", Text, nullable=False),  # one of the ways it was written
    Column("topic", String(50)),
    # asked more than once in all: only these can beat a question asked once, so the top
    # questions scan them, not the long tail of questions asked once
    Column("repeated", Boolean, nullable=False),
    Index(
        "ix_analytics_questions_day",
        "repeated",
        "day",
        "channel",
        "language",
        "question_key",
        "asked",
        "unanswered",
    ),
    Index("ix_analytics_questions_key", "question_key"),
)
