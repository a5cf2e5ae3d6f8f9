"""Retrying a store that is briefly away, and the error that ends the retrying.

A database or Redis restart, a failover or a dropped connection costs latency, not messages:
the call is retried with back-off for up to STORE_RETRY_SECONDS (default 10). After that the
message fails loudly with StoreUnavailable: the log names the store and the error, and the
channel tells the student the message was not recorded (bot/rasa_server/channels/guarded.py).

A *locked* database (another process holds SQLite's write lock, a PostgreSQL table lock) is a
different wait: nothing says when it ends, so it gets a shorter budget, STORE_LOCKED_SECONDS
(default 4), and one attempt waits for the lock at most STORE_BUSY_SECONDS (default 1: SQLite's
busy timeout, PostgreSQL's lock_timeout), less when the budget is nearly spent. A locked store
therefore costs a message at most 4 + 1 = 5 s with the defaults, then the apology.

The budgets are per message, not per call: the channel opens them when the message arrives
(`message_budget()`), and every store call of that message (reading, saving, the lock) retries
only until they end.
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

from bot.i18n import _

logger = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_RETRY_SECONDS = 10.0
DEFAULT_LOCKED_SECONDS = 4.0
DEFAULT_BUSY_SECONDS = 1.0


def store_apology() -> str:
    """The one reply for a message that was not recorded, in the language being spoken, with
    the office's contacts once staff have published them (the live knowledge base)."""
    apology = _store_apology()
    contact = _office_contact()
    return f"{apology} {contact}" if contact else apology


def _store_apology() -> str:
    return _(
        "Sorry, something went wrong on our side and your last message was not recorded. "
        "Please send it again in a minute."
    )


def _office_contact() -> str | None:
    """ "If it keeps happening, ..." with the ways to reach the office; None while the knowledge
    base has none (or can't be read: the apology must never fail)."""
    from bot.answers.base import knowledge, office_contact_ways

    try:
        ways = office_contact_ways()
        if not ways:
            return None
        office = knowledge().kb.office.department.name
    except Exception:
        logger.exception("the office's contacts could not be rendered for the store apology")
        return None
    return _(
        "If it keeps happening, please contact the **{office}**: {ways}.", office=office, ways=ways
    )


# In English (imported outside `speaking`), without contacts (none are in the files): tests, logs.
STORE_APOLOGY = _store_apology()


def retry_seconds() -> float:
    return float(os.environ.get("STORE_RETRY_SECONDS", DEFAULT_RETRY_SECONDS))


def locked_seconds() -> float:
    return float(os.environ.get("STORE_LOCKED_SECONDS", DEFAULT_LOCKED_SECONDS))


def busy_seconds() -> float:
    """How long one attempt may wait for a lock held by someone else (SQLite busy timeout,
    PostgreSQL lock_timeout) before it fails and is retried or given up."""
    return float(os.environ.get("STORE_BUSY_SECONDS", DEFAULT_BUSY_SECONDS))


# When the message being processed arrived (monotonic clock), if a channel opened its budget;
# contextvars follow the message through Rasa's awaits.
_message_start: ContextVar[float | None] = ContextVar("message_start", default=None)


@contextlib.contextmanager
def message_budget() -> Iterator[None]:
    """Every store call of one message shares its budgets: reading, saving and locking together
    retry at most STORE_RETRY_SECONDS for a store that is away, STORE_LOCKED_SECONDS for a
    locked one, counted from now."""
    token = _message_start.set(time.monotonic())
    try:
        yield
    finally:
        _message_start.reset(token)


def deadlines(budget: float | None = None) -> tuple[float, float]:
    """(away, locked): when a call starting now must stop retrying a store that is away, and
    one that is locked. Within the current message's budgets, if any."""
    now = time.monotonic()
    budget = retry_seconds() if budget is None else budget
    start = _message_start.get()
    away = now + budget if start is None else min(now + budget, start + retry_seconds())
    locked = min(away, (now if start is None else start) + locked_seconds())
    return away, locked


def is_lock_error(error: BaseException) -> bool:
    """The database answered, but someone else holds a lock we need (SQLite "database is
    locked", PostgreSQL "canceling statement due to lock timeout")."""
    text = str(getattr(error, "orig", None) or error).lower()
    return "is locked" in text or "lock timeout" in text


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
    """`attempt()` until it succeeds, or the store has been away for `budget` seconds (locked:
    STORE_LOCKED_SECONDS), or the message's budgets (`message_budget`) are spent. The first
    attempt is always made."""
    budget = retry_seconds() if budget is None else budget
    began = time.monotonic()
    away, locked = deadlines(budget)
    delay, failures = 0.05, 0
    while True:
        try:
            result = await attempt()
        except Exception as error:
            if not transient(error):
                raise
            failures += 1
            if time.monotonic() + delay > (locked if is_lock_error(error) else away):
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
