"""Errors shared by the store modules."""

from __future__ import annotations


class NotFoundError(LookupError):
    """The row asked for does not exist."""
