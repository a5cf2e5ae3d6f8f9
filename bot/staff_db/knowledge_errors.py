"""The knowledge base's validation error, shared by the repository's modules."""

from __future__ import annotations

from bot.staff_db.validation import ValidationError


class KnowledgeValidationError(ValidationError):
    """The write would leave an invalid knowledge base; nothing was written. `errors` maps a
    field path relative to the fact ("quote", "confirmed.note", "universities[2]") to its
    message; "" holds problems of the fact as a whole or elsewhere in the knowledge base."""
