"""Retrying a store that is briefly away, and the error that ends the retrying.

A database or Redis restart, a failover or a dropped connection costs latency, not messages:
the call is retried with back-off for up to STORE_RETRY_SECONDS (default 10). After that the
message fails loudly with StoreUnavailable: the log names the store and the error, and the
channel tells the student the message was not recorded (bot/rasa_server/channels/guarded.py).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import sqlalchemy as sa
from rasa.shared.exceptions import RasaException

logger = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_RETRY_SECONDS = 10.0
STORE_APOLOGY = (
    "Sorry, something went wrong on our side and your last message was not recorded. "
    "Please send it again in a minute."
)


def retry_seconds() -> float:
    return float(os.environ.get("STORE_RETRY_SECONDS", DEFAULT_RETRY_SECONDS))


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
    """`attempt()` until it succeeds or the store has been away for `budget` seconds."""
    budget = retry_seconds() if budget is None else budget
    deadline = time.monotonic() + budget
    delay, failures = 0.05, 0
    while True:
        try:
            result = await attempt()
        except Exception as error:
            if not transient(error):
                raise
            failures += 1
            if time.monotonic() + delay > deadline:
                logger.error("%s failed for %.0f s, giving up: %s", what, budget, error)
                raise unavailable(f"{what}: unavailable for {budget:.0f} s ({error})") from error
            if failures == 1:
                logger.warning("%s failed, retrying for up to %.0f s: %s", what, budget, error)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)
        else:
            if failures:
                logger.warning("%s succeeded after %d retries", what, failures)
            return result
