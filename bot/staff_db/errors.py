"""Errors shared by the store modules."""

from __future__ import annotations


class NotFoundError(LookupError):
    """The row asked for does not exist."""


class StoreBusy(RuntimeError):
    """The staff database is locked, read-only or unreachable right now: nothing was changed,
    and the same request can simply be made again later."""
