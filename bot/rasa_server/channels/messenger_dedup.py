"""Recognising a repeated Messenger delivery in Redis first, when the scaled profile has one.

The queue's unique key (bot/rasa_server/channels/messenger_queue.py) is what guarantees an event
is recorded and answered once, across replicas. In front of it, in the scaled profile, every
replica looks an event's key up in Redis first: a redelivery of an event already recorded is
acknowledged without touching the database, which matters when Facebook redelivers a burst
because the database was slow. A key is written to Redis (kept MESSENGER_DEDUP_HOURS, default 48)
only after the database committed the event, so Redis never calls an unrecorded event a
duplicate; two deliveries racing past Redis are settled by the unique key. If Redis is away,
the database alone decides (never an error); Redis is asked again after 5 s.

Used when LOCK_STORE_TYPE names a Redis lock store (the scaled profile), with the same REDIS_*
settings; MESSENGER_DEDUP=database turns it off.
"""

from __future__ import annotations

import logging
import os
import time

import redis.asyncio as aioredis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
KEY_PREFIX = "beu:messenger:event:"
RETRY_AFTER_SECONDS = 5.0  # after a failure, don't wait on a dead Redis for every delivery


class RedisDedup:
    def __init__(self, client: aioredis.Redis, keep_seconds: float) -> None:
        self.client = client
        self.keep_seconds = int(keep_seconds)
        self._down_until = 0.0

    @classmethod
    def from_env(cls, keep_seconds: float) -> RedisDedup | None:
        wanted = os.environ.get("MESSENGER_DEDUP", "auto").strip().lower()
        uses_redis = "redis" in os.environ.get("LOCK_STORE_TYPE", "").lower()
        if wanted == "database" or (wanted == "auto" and not uses_redis):
            return None
        client = aioredis.Redis(
            host=os.environ.get("REDIS_HOST") or "localhost",
            port=int(os.environ.get("REDIS_PORT") or 6379),
            db=int(os.environ.get("REDIS_DB") or 0),
            password=os.environ.get("REDIS_PASSWORD") or None,
            socket_timeout=0.3,
            socket_connect_timeout=0.3,
        )
        return cls(client, keep_seconds)

    async def seen(self, keys: list[str]) -> set[str] | None:
        """The keys recorded before (None: Redis can't say, ask the database)."""
        if not keys or time.monotonic() < self._down_until:
            return None if keys else set()
        try:
            values = await self.client.mget([KEY_PREFIX + key for key in keys])
        except (RedisError, OSError) as error:
            self._unavailable(error)
            return None
        return {key for key, value in zip(keys, values, strict=True) if value is not None}

    async def remember(self, keys: list[str]) -> None:
        """Mark events the database has recorded (only then: a key in Redis is never a lie)."""
        if not keys or time.monotonic() < self._down_until:
            return
        try:
            async with self.client.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.set(KEY_PREFIX + key, b"1", ex=self.keep_seconds)
                await pipe.execute()
        except (RedisError, OSError) as error:
            self._unavailable(error)

    def _unavailable(self, error: BaseException) -> None:
        self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
        logger.warning(
            "Messenger deduplication: Redis unavailable, the database decides: %s", error
        )

    async def close(self) -> None:
        await self.client.close()
