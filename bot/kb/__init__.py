"""The structured knowledge base: schema, loading with provenance checks, queries and answers."""

from bot.kb.load import KnowledgeError, load_kb

__all__ = ["KnowledgeError", "load_kb"]
