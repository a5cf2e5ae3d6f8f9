"""The shared Rasa server with its SQLite tracker database write-locked by another process
(BEGIN EXCLUSIVE) for longer than a message's store budget: `GET /` and the guard's replies stay
fast (the store's calls wait in threads, not in the event loop), and every message, on REST and
on the widget's socket.io (which sends while Rasa processes), gets exactly one reply: the
apology within the 5-s budget, never the answer as well. Once the lock is gone, answers return."""

from __future__ import annotations

import asyncio
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.rasa_server.retry import STORE_APOLOGY
from tests.rasa_server.channels.widget_client import WidgetClient
from tests.rasa_server.test_locked_store import write_locked
from tests.servers import ask

pytestmark = pytest.mark.e2e
LOCKED_S = 6.5  # longer than the budget: STORE_LOCKED_SECONDS 4 + STORE_BUSY_SECONDS 1
BUDGET_S = 5.0
MARGIN_S = 1.0


def tracker_file(servers) -> Path:
    return Path(make_url(servers._env()["TRACKER_STORE_URL"]).database)


def timed(call, *args) -> tuple[object, float]:
    start = time.monotonic()
    result = call(*args)
    return result, time.monotonic() - start


def get_root(servers) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{servers.rasa_port}/", timeout=10) as reply:
        return reply.status


def widget_replies(servers) -> list[str]:
    async def scenario() -> list[str]:
        async with WidgetClient(
            f"http://127.0.0.1:{servers.rasa_port}", servers.web_origins[0]
        ) as w:
            session = await w.session()
            return [e.get("text", "") for e in await w.ask("hello", session)]

    return asyncio.run(scenario())


def texts(messages) -> list[str]:
    return [m.get("text", "") for m in messages]


def test_a_locked_tracker_store_costs_one_apology_per_message_and_blocks_nothing(servers):
    known = f"locked-{uuid.uuid4().hex[:8]}"
    assert "Hello" in " ".join(texts(ask(servers.webhook, known, "hello")))
    with write_locked(tracker_file(servers), LOCKED_S), ThreadPoolExecutor(8) as pool:
        messages = [
            pool.submit(timed, ask, servers.webhook, sender, "Who coordinates PROMIG?")
            for sender in (known, f"locked-{uuid.uuid4().hex[:8]}")
        ]
        widget = pool.submit(timed, widget_replies, servers)
        time.sleep(1.0)  # the messages are waiting for the store now
        for _ in range(3):
            status, seconds = timed(get_root, servers)
            assert status == 200 and seconds < 1.0
        guard_reply, seconds = timed(ask, servers.webhook, f"guard-{uuid.uuid4().hex[:8]}", "")
        assert guard_reply and seconds < 1.0  # the guard's short reply needs no store
        replies = [future.result() for future in messages]
        widget_said, widget_seconds = widget.result()
    for reply, seconds in replies:
        assert texts(reply) == [STORE_APOLOGY]  # one reply: the apology, not the answer too
        assert seconds < BUDGET_S + MARGIN_S
    assert widget_said == [STORE_APOLOGY]  # sent only after processing and saving failed
    assert widget_seconds < BUDGET_S + MARGIN_S + 1.0  # + the client's 1-s quiet wait
    answer = " ".join(texts(ask(servers.webhook, known, "Who coordinates PROMIG?")))
    assert "Tbilisi" in answer and STORE_APOLOGY not in answer
