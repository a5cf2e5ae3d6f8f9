"""What a deletion by reference (bot/privacy/deletion.py, its ANALYTICS_HOOK) does to the
aggregate: the conversation's question texts go, its counts stay (they hold no text)."""

from __future__ import annotations

from bot.analytics.aggregate import forget_conversation

__all__ = ["forget_conversation"]
