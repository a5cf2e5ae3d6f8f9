"""The Messenger queue, deduplication and worker in-process, on real databases and a real Redis
(bot/rasa_server/channels/messenger_queue.py, messenger_dedup.py, messenger_worker.py): events
recorded once, answered in order per sender, one failure never blocking the rest, a worker that
died mid-event replaced by the next one, and a Redis that goes away handing over to the
database."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from bot.ops.services.redis import LocalRedis
from bot.rasa_server.channels.messenger_dedup import RedisDedup
from bot.rasa_server.channels.messenger_events import (
    GREET,
    incoming,
    incoming_text,
    sender_problem,
)
from bot.rasa_server.channels.messenger_queue import DONE, FAILED, DeliveryQueue, QueueFull
from bot.rasa_server.channels.messenger_worker import QueueWorker
from tests.helpers import run_coroutine
from tests.postgres import new_database
from tests.system import binary, free_port


def delivery(*events: dict) -> dict:
    return {"object": "page", "entry": [{"id": "page", "messaging": list(events)}]}


def text_event(sender: str, text: str, mid: str | None = None) -> dict:
    mid = mid or f"mid.{uuid.uuid4().hex}"
    return {"sender": {"id": sender}, "timestamp": 1, "message": {"mid": mid, "text": text}}


@pytest.fixture(params=["sqlite", "postgresql"])
def queue_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.sqlite3'}"
        return
    with new_database(request.getfixturevalue("postgres_server")) as url:
        yield url


def test_events_are_recorded_once_and_a_full_queue_refuses_the_whole_delivery(queue_url):
    queue = DeliveryQueue(queue_url, limit=3).create()
    first, _ = incoming(delivery(text_event("1", "hello"), text_event("2", "hi")))
    assert len(queue.record(first).new) == 2
    again = queue.record(first)  # Facebook redelivers the same batch
    assert (again.new, again.duplicates) == ([], 2)
    more, _ = incoming(delivery(text_event("3", "a"), text_event("4", "b")))
    with pytest.raises(QueueFull):
        queue.record(more)  # 2 + 2 > 3: nothing of it is recorded
    assert queue.counts() == {"queued": 2}


def test_a_worker_that_died_mid_event_is_replaced_and_order_per_sender_holds(queue_url):
    """Events recorded and leased by a process that then died are answered by the next worker
    once the lease expires; a sender's messages in order; one failure doesn't block the rest."""
    queue = DeliveryQueue(queue_url, lease_seconds=1.0).create()
    events, _ = incoming(
        delivery(
            text_event("7", "first"),
            text_event("8", "boom"),
            text_event("7", "second"),
            text_event("8", "after the failure"),
        )
    )
    queue.record(events)
    dead = queue.heads(10)  # a previous process took both senders' first events, then died
    assert [item.event["message"]["text"] for item in dead] == ["first", "boom"]
    assert all(queue.lease(item, "dead-process") for item in dead)
    assert not queue.lease(dead[0], "another-replica"), "a leased event is not taken twice"

    answered: list[tuple[str, str]] = []

    async def answer(item) -> None:
        text = item.event["message"]["text"]
        if text == "boom":
            raise RuntimeError("this event breaks")
        answered.append((item.sender, text))

    async def run_worker() -> None:
        worker = QueueWorker(queue, answer, poll_seconds=0.1)
        worker.start()
        try:
            for _ in range(100):
                if queue.counts().get("queued", 0) == 0:
                    break
                await asyncio.sleep(0.1)
        finally:
            await worker.stop()

    run_coroutine(run_worker())
    assert [t for s, t in answered if s == "7"] == ["first", "second"]
    assert [t for s, t in answered if s == "8"] == ["after the failure"]
    assert queue.counts() == {DONE: 3, FAILED: 1}


def test_sender_ids_are_checked_and_get_started_greets():
    assert sender_problem("1234567890123456") is None
    assert "NUL" in sender_problem("12\x0034")
    assert "10240 characters" in sender_problem("1" * 10240)
    assert sender_problem("<script>") is not None and sender_problem(None) is not None
    accepted, refused = incoming(
        delivery(text_event("1" * 10240, "hi"), text_event("ok-1", "hi"), {"sender": {}})
    )
    assert [e.sender for e in accepted] == ["ok-1"] and len(refused) == 1  # {} is no message
    postback = {
        "sender": {"id": "5"},
        "postback": {"title": "Get Started", "payload": "GET_STARTED"},
    }
    assert incoming_text(postback) == GREET
    (item,), _ = incoming(delivery(postback))
    (same,), _ = incoming(delivery(dict(postback)))
    assert item.key == same.key, "a postback without a mid is still recognised when redelivered"


def test_redis_answers_duplicates_and_the_database_takes_over_when_it_dies(tmp_path):
    binary("redis-server")
    queue = DeliveryQueue(f"sqlite:///{tmp_path / 'tracker.sqlite3'}").create()
    redis = LocalRedis(tmp_path / "redis", free_port(), "pw").ensure_running()
    try:
        import redis.asyncio as aioredis

        async def scenario() -> tuple:
            client = aioredis.Redis(port=redis.port, password="pw", socket_timeout=0.3)
            dedup = RedisDedup(client, 3600)
            events, _ = incoming(delivery(text_event("9", "hello")))
            keys = [e.key for e in events]
            before = await dedup.seen(keys)
            queue.record(events)
            await dedup.remember(keys)
            after = await dedup.seen(keys)
            await asyncio.to_thread(redis.stop)
            down = await dedup.seen(keys)
            recorded = queue.record(events)  # so the database decides
            await dedup.close()
            return before, after, down, recorded

        before, after, down, recorded = run_coroutine(scenario())
    finally:
        redis.stop()
    assert before == set()
    assert len(after) == 1, "a recorded event is recognised by Redis"
    assert down is None, "Redis away: no answer rather than an error"
    assert (recorded.new, recorded.duplicates) == ([], 1), "the database recognises it"
