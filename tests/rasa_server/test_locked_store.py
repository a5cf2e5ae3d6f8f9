"""A tracker database locked by another process (bot/rasa_server/tracker_store.py, retry.py and
channels/guarded.py), in-process with a real SQLite file and a real lock: the event loop keeps
serving while a message waits, the wait is bounded, and a channel that sends while Rasa
processes (Messenger, socket.io) delivers either the answer or the apology, never both."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from bot.rasa_server.channels.guarded import guarded
from bot.rasa_server.guard import Guard, RateLimiter
from bot.rasa_server.retry import STORE_APOLOGY
from bot.rasa_server.tracker_store import DurableSQLTrackerStore
from tests.helpers import run_coroutine

ANSWER = "CRENG is coordinated from Warsaw."


@contextmanager
def write_locked(database: Path, seconds: float) -> Iterator[None]:
    """Another process's connection holds the write lock (BEGIN EXCLUSIVE) for `seconds`."""
    taken = threading.Event()

    def hold() -> None:
        connection = sqlite3.connect(database, isolation_level=None)
        connection.execute("BEGIN EXCLUSIVE")
        taken.set()
        time.sleep(seconds)
        connection.execute("ROLLBACK")
        connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert taken.wait(5)
    try:
        yield
    finally:
        holder.join()


class SendsWhileProcessing(OutputChannel):
    """Like Messenger's and the widget's output: each reply leaves at once, timestamped."""

    def __init__(self) -> None:
        self.sent: list[tuple[float, str]] = []

    @classmethod
    def name(cls) -> str:
        return "messenger"

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        self.sent.append((time.monotonic(), text))


def rasa_like(store: DurableSQLTrackerStore):
    """What Rasa's processor does with a message: read the conversation, send the answer
    (before saving, as Rasa does), append the turn, save."""

    async def process(message: UserMessage) -> None:
        tracker = await store.get_or_create_tracker(message.sender_id)
        tracker.update(UserUttered(message.text, {"name": "ask", "confidence": 1.0}))
        await message.output_channel.send_response(message.sender_id, {"text": ANSWER})
        tracker.update(BotUttered(ANSWER))
        tracker.update(ActionExecuted("action_listen"))
        await store.save(tracker)

    return process


async def max_loop_lag(until: asyncio.Future) -> float:
    """The longest the event loop was unavailable (a 20 ms ticker's lateness) until done."""
    worst = 0.0
    while not until.done():
        before = time.monotonic()
        await asyncio.sleep(0.02)
        worst = max(worst, time.monotonic() - before - 0.02)
    return worst


def user_texts(store: DurableSQLTrackerStore, sender: str) -> list[str]:
    fresh = DurableSQLTrackerStore(Domain.empty(), host=str(store.engine.url))
    tracker = run_coroutine(fresh.retrieve(sender))
    fresh.engine.dispose()
    return [e.text for e in tracker.events if isinstance(e, UserUttered)] if tracker else []


def test_a_locked_store_gets_one_reply_per_message_and_never_blocks_the_loop(tmp_path):
    database = tmp_path / "tracker.sqlite3"
    store = DurableSQLTrackerStore(Domain.empty(), host=f"sqlite:///{database}")
    handler = guarded(rasa_like(store), Guard(1000, RateLimiter(0)))

    async def one(sender: str, text: str) -> tuple[list[str], float, float]:
        output = SendsWhileProcessing()
        start = time.monotonic()
        processing = asyncio.ensure_future(handler(UserMessage(text, output, sender)))
        lag = await max_loop_lag(processing)
        await processing
        return [text for _, text in output.sent], time.monotonic() - start, lag

    async def several(*messages: tuple[str, str]) -> list:
        return await asyncio.gather(*(one(sender, text) for sender, text in messages))

    assert run_coroutine(several(("known", "hello")))[0][0] == [ANSWER]

    # Locked for longer than the budget (4 s of retries + 1 s lock wait): the apology alone.
    with write_locked(database, 6.5):
        results = run_coroutine(several(("known", "lost one"), ("new", "hello")))
    for replies, seconds, lag in results:
        assert replies == [STORE_APOLOGY]  # the answer sent during processing was withheld
        assert 3.5 < seconds < 5.5
        assert lag < 0.5  # other conversations and requests were served meanwhile

    # Locked briefly: the answer alone, late, and stored.
    with write_locked(database, 1.5):
        [(replies, seconds, lag)] = run_coroutine(several(("known", "kept")))
    assert replies == [ANSWER] and seconds > 1.0 and lag < 0.5

    assert user_texts(store, "known") == ["hello", "kept"]  # "lost one" was not recorded
    assert user_texts(store, "new") == []
    store.engine.dispose()
