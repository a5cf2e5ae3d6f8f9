"""The "duplicate and slow Messenger deliveries" drill of `make soak`, against the scaled profile
(2 Rasa replicas behind nginx, the queue in PostgreSQL, deduplication in Redis), with the fake
Graph API (tests/rasa_server/channels/fake_graph.py) standing in for Facebook.

Deliveries are signed and posted through nginx as Facebook posts them, and redelivered as
Facebook does: every delivery is posted three times (two at once, racing to both replicas, and
once more later), and again after a second whenever it was not acknowledged with a 200. Every
student says "hello" (one greeting each, one Messenger message) `messages` times. Two faults:

  slow-graph     the Send API hangs for HANG_S seconds while the deliveries arrive: the webhook
                 must still acknowledge at once, and the answers go out when it recovers;
  kill-replica   a Rasa replica is SIGKILLed while deliveries arrive and its worker waits on a
                 hanging Send API (held for 3 s more): deliveries in flight to it fail (502) and
                 are redelivered; the events it had leased are answered by the other replica
                 once their lease (MESSENGER_LEASE_SECONDS=10) ends. Its answers already handed
                 to the Send API count as sent (Facebook got them), so such an event answered
                 again is a double reply.

Cost per fault: deliveries not acknowledged at first (503/502), acknowledgement latency, lost
events (sent, never answered), double replies (answered more than once), conversations with a
message stored twice, and the seconds from the first delivery to the last answer.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import sqlalchemy as sa

from bot.ops.scaled import ScaledProfile
from tests.conftest import MESSENGER
from tests.rasa_server.channels.fake_graph import FakeGraph
from tests.rasa_server.channels.messenger_client import post_raw, signature

HANG_S = 8.0  # under the connector's 10-s send timeout: held answers go out on recovery
KILL_AT_S = 2.0
LEASE_S = 10
REDELIVERY_DELAY_S = 1.0
MAX_DELIVERY_ATTEMPTS = 10


def messenger_env(graph: FakeGraph) -> dict[str, str]:
    """The profile's environment for the drill: Messenger configured, pointed at the fake."""
    return {**MESSENGER, "FACEBOOK_GRAPH_URL": graph.url, "MESSENGER_LEASE_SECONDS": str(LEASE_S)}


def _delivery(sender: str, text: str) -> bytes:
    event = {
        "sender": {"id": sender},
        "recipient": {"id": "page"},
        "timestamp": int(time.time() * 1000),
        "message": {"mid": f"mid.{uuid.uuid4().hex}", "text": text},
    }
    return json.dumps({"object": "page", "entry": [{"id": "page", "messaging": [event]}]}).encode()


class Deliveries:
    """Posts deliveries as Facebook does, and keeps what happened to each post."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.posts: list[tuple[int, float]] = []  # (status, seconds)
        self.unacknowledged: list[bytes] = []
        self._lock = threading.Lock()

    def post(self, body: bytes) -> bool:
        started = time.monotonic()
        try:
            status, _ = post_raw(self.url, body, {"X-Hub-Signature-256": signature(body)})
        except OSError:
            status = 0
        with self._lock:
            self.posts.append((status, time.monotonic() - started))
        return status == 200

    def until_acknowledged(self, body: bytes) -> None:
        for _ in range(MAX_DELIVERY_ATTEMPTS):
            if self.post(body):
                return
            time.sleep(REDELIVERY_DELAY_S)
        with self._lock:
            self.unacknowledged.append(body)

    def student(self, sender: str, messages: int, pool: ThreadPoolExecutor) -> None:
        for _ in range(messages):
            body = _delivery(sender, "hello")
            racing = [pool.submit(self.until_acknowledged, body) for _ in range(2)]
            for future in racing:
                future.result()
            pool.submit(lambda b=body: (time.sleep(2.0), self.post(b)))  # a late redelivery


def _stored_twice(profile: ScaledProfile, senders: list[str], messages: int) -> int:
    engine = sa.create_engine(profile.tracker_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT sender_id, count(*) FROM events WHERE type_name = 'user' "
                    "AND sender_id = ANY(:senders) GROUP BY sender_id"
                ),
                {"senders": senders},
            ).all()
    finally:
        engine.dispose()
    return sum(count > messages for _, count in rows)


def _percentile(values: list[float], share: float) -> float | None:
    ordered = sorted(values)
    return round(1000 * ordered[int(share * (len(ordered) - 1))]) if ordered else None


def run_fault(
    profile: ScaledProfile, graph: FakeGraph, fault: str, students: int = 30, messages: int = 3
) -> dict[str, Any]:
    url = f"{profile.front}/webhooks/messenger/webhook"
    deliveries = Deliveries(url)
    run = uuid.uuid4().hex[:6]
    senders = [f"drill{run}{i}" for i in range(students)]
    started = time.monotonic()  # the fake Graph API's clock too
    if fault == "slow-graph":
        graph.hold()
        threading.Timer(HANG_S, graph.release).start()
    elif fault == "kill-replica":  # while its worker waits on the Send API with events leased

        def kill() -> None:
            os.kill(profile.process("rasa", 1).pid, signal.SIGKILL)

        graph.hold()
        threading.Timer(KILL_AT_S, kill).start()
        threading.Timer(KILL_AT_S + 3.0, graph.release).start()
    with ThreadPoolExecutor(max_workers=3 * students) as pool:
        people = [pool.submit(deliveries.student, s, messages, pool) for s in senders]
        for person in people:
            person.result()
        time.sleep(2.5)  # the late redeliveries
    posted_s = time.monotonic() - started
    deadline = time.monotonic() + LEASE_S + 40
    for sender in senders:
        graph.messages_to(sender, messages, timeout=max(deadline - time.monotonic(), 0.1))
    time.sleep(2.0)  # room for a late second answer, if one were coming
    answered = {s: len(graph.messages_to(s, timeout=0)) for s in senders}
    answer_times = [r["at"] for r in graph.received if r["body"]["recipient"]["id"] in answered]
    acknowledged_s = [seconds for status, seconds in deliveries.posts if status == 200]
    return {
        "students": students,
        "messages": students * messages,
        "deliveries_posted": len(deliveries.posts),
        "not_acknowledged_at_first": sum(status != 200 for status, _ in deliveries.posts),
        "by_status": {
            str(code): sum(status == code for status, _ in deliveries.posts)
            for code in sorted({status for status, _ in deliveries.posts})
        },
        "never_acknowledged": len(deliveries.unacknowledged),
        "ack_p50_ms": _percentile(acknowledged_s, 0.5),
        "ack_p95_ms": _percentile(acknowledged_s, 0.95),
        "ack_max_ms": _percentile(acknowledged_s, 1.0),
        "lost": sum(max(messages - n, 0) for n in answered.values()),
        "double_replies": sum(max(n - messages, 0) for n in answered.values()),
        "conversations_with_a_message_stored_twice": _stored_twice(profile, senders, messages),
        "posting_s": round(posted_s, 1),
        "last_answer_s": round(max(answer_times, default=started) - started, 1),
    }


def drill(profile: ScaledProfile, graph: FakeGraph) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for fault in ("slow-graph", "kill-replica"):
        figures[fault] = run_fault(profile, graph, fault)
        print(f"  messenger {fault}: {json.dumps(figures[fault])}", flush=True)
    return figures  # replica 1 stays down: the drill is the scaled profile's last phase
