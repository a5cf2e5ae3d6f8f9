"""How replicas take turns on a conversation: Rasa's Redis lock store, made to ride out a
Redis restart.

endpoints.yml names it (LOCK_STORE_TYPE in the scaled profile). What it changes: the retry
budget of the tracker store (bot/rasa_server/retry.py) for a Redis that restarts, short socket
timeouts (the Redis client blocks the event loop), and a lock that vanished while a message
waited (Redis restarted empty) is queued for again instead of failing the message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from rasa.core import lock_store as rasa_lock_store
from rasa.core.lock import TicketLock
from rasa.core.lock_store import RedisLockStore

from bot.rasa_server.retry import LockStoreUnavailable, is_transient_redis_error, retrying

logger = logging.getLogger(__name__)
T = TypeVar("T")


class ResilientRedisLockStore(RedisLockStore):
    """endpoints.yml in the scaled profile: LOCK_STORE_TYPE is
    bot.rasa_server.lock_store.ResilientRedisLockStore, with url/port/password/db."""

    def __init__(self, endpoint_config: Any | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {**endpoint_config.kwargs, **kwargs}
            kwargs.setdefault("host", endpoint_config.url or "localhost")
        kwargs["password"] = kwargs.get("password") or None  # "" from an unset ${VAR}
        kwargs.setdefault("socket_timeout", 2)
        super().__init__(**kwargs)
        self.red.connection_pool.connection_kwargs["socket_connect_timeout"] = 2
        self.where = "redis://{host}:{port}/{db}".format(
            **{k: self.red.connection_pool.connection_kwargs.get(k) for k in ("host", "port", "db")}
        )
        logger.info("lock store: %s (ticket lifetime %s s)", self.where, self._lifetime())

    @staticmethod
    def _lifetime() -> float:
        return rasa_lock_store.LOCK_LIFETIME

    async def _redis(self, what: str, call: Callable[[], T]) -> T:
        async def attempt() -> T:
            return call()

        return await retrying(
            f"{what} ({self.where})", attempt, is_transient_redis_error, LockStoreUnavailable
        )

    def _issue(self, conversation_id: str, lifetime: float) -> int:
        lock = self.get_or_create_lock(conversation_id)
        ticket = lock.issue_ticket(lifetime)
        self.save_lock(lock)
        return ticket

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float | None = None,
        wait_time_in_seconds: float = 0.25,
    ) -> AsyncGenerator[TicketLock, None]:
        lifetime = lock_lifetime or self._lifetime()
        ticket = await self._redis(
            f"issuing a lock ticket for {conversation_id}",
            lambda: self._issue(conversation_id, lifetime),
        )
        holder: dict[str, int] = {"ticket": ticket}
        try:
            yield await self._wait_for_turn(conversation_id, holder, lifetime, wait_time_in_seconds)
        finally:
            with contextlib.suppress(LockStoreUnavailable):  # the ticket expires by itself
                await self._redis(
                    f"releasing the lock of {conversation_id}",
                    lambda: self.cleanup(conversation_id, holder["ticket"]),
                )

    async def _wait_for_turn(
        self, conversation_id: str, holder: dict[str, int], lifetime: float, wait: float
    ) -> TicketLock:
        """Rasa's _acquire_lock, except that a lock or ticket that disappeared while waiting
        (Redis restarted empty, or the ticket expired behind a slow message) is queued for again
        instead of failing the message. Bounded: tickets ahead of ours expire."""
        while True:
            lock = await self._redis(
                f"reading the lock of {conversation_id}", lambda: self.get_lock(conversation_id)
            )
            ticket = holder["ticket"]
            if lock is None or lock._ticket_for_ticket_number(ticket) is None:
                holder["ticket"] = await self._redis(
                    f"issuing a lock ticket for {conversation_id}",
                    lambda: self._issue(conversation_id, lifetime),
                )
                continue
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(wait)
            await self._redis(
                f"updating the lock of {conversation_id}",
                lambda: self.update_lock(conversation_id),
            )
