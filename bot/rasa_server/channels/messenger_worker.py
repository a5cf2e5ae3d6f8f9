"""The worker that answers recorded Messenger events, in every Rasa process that has the channel.

It runs on the Rasa server's event loop from server start to stop: woken by the webhook when it
records something, and every MESSENGER_POLL_SECONDS (default 1) for events another replica, or
an earlier process that died, left behind. For each sender it takes the oldest unfinished event
(bot/rasa_server/channels/messenger_queue.py), leases it, answers it and marks it done; up to
MESSENGER_WORKERS (default 8) students are answered at once. An event whose answering raised
(the student was already told, e.g. "your last message was not recorded") is marked failed and
logged, and never blocks the events after it. Database calls run in a small thread pool.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from bot.rasa_server.channels.messenger_queue import (
    DONE,
    FAILED,
    MAX_ATTEMPTS,
    DeliveryQueue,
    Leased,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")
Answer = Callable[[Leased], Awaitable[None]]
PRUNE_EVERY_SECONDS = 600.0


class NotReady(Exception):
    """Raised by the answering function while the model is still loading: the event is given
    back untouched and tried again."""


class QueueWorker:
    def __init__(
        self,
        queue: DeliveryQueue,
        answer: Answer,
        concurrency: int | None = None,
        poll_seconds: float | None = None,
    ) -> None:
        self.queue = queue
        self.answer = answer
        self.concurrency = concurrency or int(os.environ.get("MESSENGER_WORKERS") or 8)
        self.poll_seconds = poll_seconds or float(os.environ.get("MESSENGER_POLL_SECONDS") or 1)
        self.owner = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self._threads = ThreadPoolExecutor(max_workers=4, thread_name_prefix="messenger-queue")
        self._wake = asyncio.Event()
        self._busy: dict[str, asyncio.Task] = {}  # sender -> the task answering them
        self._main: asyncio.Task | None = None
        self._stopping = False

    async def db(self, call: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._threads, call, *args)

    def start(self) -> None:
        self._wake = asyncio.Event()  # bound to the running loop
        self._stopping = False
        self._main = asyncio.get_running_loop().create_task(self._run(), name="messenger-worker")
        logger.info("Messenger worker %s answering events from %s", self.owner, self.queue.where)

    def wake(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        """Stop taking events; events in progress keep their lease and are finished by the next
        worker if this process ends first."""
        self._stopping = True
        self._wake.set()
        if self._main:
            # Not `await` after `cancel()` alone: Python 3.10's wait_for can swallow a
            # cancellation; the flag ends the loop at its next turn whatever happens.
            self._main.cancel()
            await asyncio.wait({self._main}, timeout=5)
        tasks = list(self._busy.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._threads.shutdown(wait=False)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        next_prune = loop.time()
        while not self._stopping:
            self._wake.clear()
            try:
                if loop.time() >= next_prune:
                    next_prune = loop.time() + PRUNE_EVERY_SECONDS
                    pruned = await self.db(self.queue.prune)
                    if pruned:
                        logger.info("Messenger queue: forgot %d old events", pruned)
                await self._take_what_is_waiting()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # a database that is away: try again at the next poll
                logger.warning("Messenger worker: cannot read the queue: %s", error)
            waiter = asyncio.ensure_future(self._wake.wait())
            try:
                await asyncio.wait({waiter}, timeout=self.poll_seconds)
            finally:
                waiter.cancel()

    async def _take_what_is_waiting(self) -> None:
        free = self.concurrency - len(self._busy)
        if free <= 0:
            return
        for item in await self.db(self.queue.heads, free, frozenset(self._busy)):
            if item.sender in self._busy or not await self.db(self.queue.lease, item, self.owner):
                continue  # another replica took it
            task = asyncio.get_running_loop().create_task(self._answer(item))
            self._busy[item.sender] = task

    async def _answer(self, item: Leased) -> None:
        keep_lease = asyncio.get_running_loop().create_task(self._keep_lease(item))
        state = DONE
        try:
            if item.attempts >= MAX_ATTEMPTS:
                logger.error(
                    "Messenger event %d of %s was started %d times and never finished; "
                    "giving up on it",
                    item.id,
                    item.sender,
                    item.attempts,
                )
                state = FAILED
            else:
                await self.answer(item)
        except NotReady:
            keep_lease.cancel()
            await self._settle(self.queue.release, item, self.owner)
            await asyncio.sleep(self.poll_seconds)
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("Messenger event %d of %s failed", item.id, item.sender)
            state = FAILED
        finally:
            keep_lease.cancel()
            self._busy.pop(item.sender, None)
            self.wake()  # the sender's next event, if any
        await self._settle(self.queue.finish, item, self.owner, state)

    async def _settle(self, call: Callable[..., Any], *args: Any) -> None:
        """Write the outcome, retrying while the lease lasts (else the event would be answered
        again by the next worker)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.queue.lease_seconds
        delay = 0.1
        while True:
            try:
                await self.db(call, *args)
                return
            except Exception as error:
                if loop.time() + delay > deadline:
                    logger.error("Messenger worker: could not record an outcome: %s", error)
                    return
                await asyncio.sleep(delay)
                delay = min(2 * delay, 2.0)

    async def _keep_lease(self, item: Leased) -> None:
        while True:
            await asyncio.sleep(self.queue.lease_seconds / 3)
            try:
                if not await self.db(self.queue.renew, item, self.owner):
                    logger.warning("Messenger worker: lost the lease of event %d", item.id)
                    return
            except Exception as error:
                logger.warning("Messenger worker: could not renew a lease: %s", error)
