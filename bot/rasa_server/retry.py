"""Retrying a store that is briefly away, and the error that ends the retrying.

A database or Redis restart, a failover or a dropped connection costs latency, not messages:
the call is retried with back-off for up to STORE_RETRY_SECONDS (default 4). After that the
message fails loudly with StoreUnavailable: the log names the store and the error, and the
channel tells the student the message was not recorded (bot/rasa_server/channels/guarded.py).

The budget is per message, not per call: the channel opens it when the message arrives
(`message_budget()`), and every store call of that message (reading, saving, the lock) retries
only until it ends. One attempt may wait on a database lock for at most STORE_BUSY_SECONDS
(default 1: SQLite's busy timeout, PostgreSQL's lock_timeout), and is never begun after the
budget. A locked store therefore costs a message at most
STORE_RETRY_SECONDS + STORE_BUSY_SECONDS = 5 s with the defaults, then the apology.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from typing import TypeVar

import sqlalchemy as sa
from rasa.shared.exceptions import RasaException

logger = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_RETRY_SECONDS = 4.0
DEFAULT_BUSY_SECONDS = 1.0
STORE_APOLOGY = (
    "Sorry, something went wrong on our side and your last message was not recorded. "
    "Please send it again in a minute."
)


def retry_seconds() -> float:
    return float(os.environ.get("STORE_RETRY_SECONDS", DEFAULT_RETRY_SECONDS))


def busy_seconds() -> float:
    """How long one attempt may wait for a lock held by someone else (SQLite busy timeout,
    PostgreSQL lock_timeout) before it fails and is retried or given up."""
    return float(os.environ.get("STORE_BUSY_SECONDS", DEFAULT_BUSY_SECONDS))


# When the store calls of the message being processed must give up (monotonic clock), if a
# channel opened a budget for it; contextvars follow the message through Rasa's awaits.
_message_deadline: ContextVar[float | None] = ContextVar("store_deadline", default=None)


@contextlib.contextmanager
def message_budget(seconds: float | None = None) -> Iterator[float]:
    """Every store call of one message shares one retry budget: reading, saving and locking
    together wait at most `seconds` (STORE_RETRY_SECONDS) for a store that is away or locked."""
    deadline = time.monotonic() + (retry_seconds() if seconds is None else seconds)
    token = _message_deadline.set(deadline)
    try:
        yield deadline
    finally:
        _message_deadline.reset(token)


def deadline_within(budget: float) -> float:
    """The earlier of `budget` seconds from now and the current message's deadline."""
    own = time.monotonic() + budget
    shared = _message_deadline.get()
    return own if shared is None else min(own, shared)


class StoreUnavailable(RasaException):
    """A store stayed unreachable for the whole retry budget; the message was not processed
    (or not recorded). Raised instead of Rasa's silent in-memory fallback."""


class TrackerStoreUnavailable(StoreUnavailable):
    pass


class LockStoreUnavailable(StoreUnavailable):
    pass


def is_transient_db_error(error: BaseException) -> bool:
    """Connection-level failures worth retrying: refused, dropped, server starting or shutting
    down, SQLite busy. Not: a wrong query or a constraint violation."""
    if isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, (sa.exc.OperationalError, sa.exc.InterfaceError))


def is_transient_redis_error(error: BaseException) -> bool:
    import redis

    return isinstance(
        error, (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)
    ) or (isinstance(error, redis.exceptions.ResponseError) and "LOADING" in str(error))


async def retrying(
    what: str,
    attempt: Callable[[], Awaitable[T]],
    transient: Callable[[BaseException], bool],
    unavailable: type[StoreUnavailable],
    budget: float | None = None,
) -> T:
    """`attempt()` until it succeeds, or the store has been away for `budget` seconds, or the
    message's budget (`message_budget`) is spent. The first attempt is always made."""
    budget = retry_seconds() if budget is None else budget
    began = time.monotonic()
    deadline = deadline_within(budget)
    delay, failures = 0.05, 0
    while True:
        try:
            result = await attempt()
        except Exception as error:
            if not transient(error):
                raise
            failures += 1
            if time.monotonic() + delay > deadline:
                waited = time.monotonic() - began
                logger.error("%s failed for %.1f s, giving up: %s", what, waited, error)
                raise unavailable(f"{what}: unavailable for {waited:.1f} s ({error})") from error
            if failures == 1:
                logger.warning("%s failed, retrying for up to %.0f s: %s", what, budget, error)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)
        else:
            if failures:
                logger.warning("%s succeeded after %d retries", what, failures)
            return result
