"""Answers rendered from the knowledge base, one module per topic family (mirrors actions/)."""

from bot.answers.base import Answer, Button, knowledge

__all__ = ["Answer", "Button", "knowledge"]
