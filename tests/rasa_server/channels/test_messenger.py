"""The Messenger webhook, for real: the Rasa server with our connector, a fake Graph API on
loopback, and requests signed the way Facebook signs them. Redeliveries are answered once, the
webhook acknowledges within a second while the Send API hangs or the store is slow, a store that
can't record the delivery is a 503 that Facebook's retry recovers from, "Get Started" greets,
and bad sender ids are refused before anything is stored."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

from bot.rasa_server.channels.messenger_events import dedup_key
from bot.rasa_server.channels.render import markdown_to_messenger
from tests.conftest import MESSENGER
from tests.e2e.scoring import flatten
from tests.helpers import run_coroutine
from tests.rasa_server.channels.messenger_client import messenger_post, messenger_url
from tests.rasa_server.channels.widget_client import WidgetClient

pytestmark = pytest.mark.e2e


def webhook(servers) -> str:
    return messenger_url(servers)


def post(servers, body: bytes, signature: str | None = "sign") -> tuple[int, str]:
    return messenger_post(servers, body, signature)


def event(sender: str, text: str | None = None, **message) -> dict:
    if text is not None:
        message["text"] = text
    return {
        "sender": {"id": sender},
        "recipient": {"id": "page"},
        "message": {"mid": f"mid.{uuid.uuid4().hex}", **message},
    }


def delivery(*events: dict, entries: int = 1) -> bytes:
    """Facebook's batched shape: entries, each with a list of messaging events."""
    per_entry = [list(events[i::entries]) for i in range(entries)]
    return json.dumps(
        {"object": "page", "entry": [{"id": "page", "messaging": m} for m in per_entry]}
    ).encode()


def new_sender() -> str:
    return f"psid-{uuid.uuid4().hex[:10]}"


def verify(servers, token: str) -> tuple[int, str]:
    query = urllib.parse.urlencode(
        {"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "challenge-42"}
    )
    try:
        with urllib.request.urlopen(f"{webhook(servers)}?{query}", timeout=10) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_verification_handshake(servers):
    assert verify(servers, MESSENGER["FACEBOOK_VERIFY_TOKEN"]) == (200, "challenge-42")
    assert verify(servers, "wrong-token")[0] == 403


def test_a_signed_message_gets_its_answer_at_the_graph_api(servers, fake_graph):
    sender = new_sender()
    assert post(servers, delivery(event(sender, "Who coordinates PROMIG?")))[0] == 200
    (reply,) = fake_graph.messages_to(sender)
    assert reply["recipient"] == {"id": sender}
    assert "Tbilisi State University" in reply["message"]["text"]
    assert "**" not in reply["message"]["text"]  # markdown turned into Messenger's
    assert all(len(q["title"]) <= 20 for q in reply["message"].get("quick_replies", []))


def test_every_message_of_a_batch_is_answered(servers, fake_graph):
    senders = [new_sender() for _ in range(3)]
    questions = ["hello", "Do you have partners in Italy?", "Are there students from Ukraine?"]
    body = delivery(*(event(s, q) for s, q in zip(senders, questions, strict=True)), entries=2)
    assert post(servers, body)[0] == 200
    replies = [fake_graph.messages_to(s) for s in senders]
    assert [len(r) for r in replies] == [1, 1, 1]
    assert "Italy" in replies[1][0]["message"]["text"]
    assert "Ukraine" in replies[2][0]["message"]["text"]


@pytest.mark.parametrize(
    ("signature", "status"),
    [(None, 403), ("sha256=" + "0" * 64, 403), ("sha1=abc", 403), ("garbage", 403)],
)
def test_missing_or_bad_signature_is_refused_and_nothing_is_processed(
    servers, fake_graph, signature, status
):
    sender = new_sender()
    assert post(servers, delivery(event(sender, "hello")), signature)[0] == status
    assert fake_graph.messages_to(sender, timeout=1.5) == []


def test_malformed_json_is_a_400(servers):
    assert post(servers, b"{not json")[0] == 400
    assert post(servers, b'{"object": "page"}')[0] == 400


@pytest.mark.parametrize(
    "message",
    [
        {"attachments": [{"type": "image", "payload": {"url": "https://example.org/cat.png"}}]},
        {"sticker_id": 369239263222822, "attachments": [{"type": "image", "payload": {}}]},
    ],
)
def test_attachments_get_a_polite_text_only_reply(servers, fake_graph, message):
    sender = new_sender()
    assert post(servers, delivery(event(sender, **message)))[0] == 200
    (reply,) = fake_graph.messages_to(sender)
    assert "only read text" in reply["message"]["text"]


def test_quick_reply_payloads_are_understood(servers, fake_graph):
    sender = new_sender()
    quick = {
        "text": "Who coordinates it?",
        "quick_reply": {"payload": '/ask_project_coordinator{"project": "MAGNUS"}'},
    }
    assert post(servers, delivery(event(sender, **quick)))[0] == 200
    (reply,) = fake_graph.messages_to(sender)
    assert "Linköping University" in reply["message"]["text"]


def test_the_same_question_gets_the_same_answer_on_rest_socketio_and_messenger(
    servers, fake_graph, conversation
):
    question = "Is there a dual degree programme?"
    rest = conversation(question)
    sender = new_sender()
    post(servers, delivery(event(sender, question)))
    messenger = fake_graph.messages_to(sender)
    widget = run_coroutine(ask_widget(servers, question))

    assert len(rest) == 1 and len(widget) == 1, "one answer, one message, on both"
    assert widget[0]["text"] == rest[0]["text"], "the widget renders the same markdown"
    assert markdown_to_messenger(rest[0]["text"]) == "\n\n".join(
        m["message"]["text"] for m in messenger
    )
    rest_buttons = [b["payload"] for b in rest[0].get("buttons", [])]
    assert [q["payload"] for q in widget[0]["quick_replies"]] == rest_buttons
    assert [q["payload"] for q in messenger[-1]["message"]["quick_replies"]] == rest_buttons
    assert "Polytechnic Institute of Bragança" in flatten(rest)


async def ask_widget(servers, question: str) -> list[dict]:
    async with WidgetClient(f"http://127.0.0.1:{servers.rasa_port}", servers.web_origins[0]) as w:
        return await w.ask(question, await w.session())


def timed_post(servers, body: bytes) -> tuple[int, float]:
    started = time.monotonic()
    status, _ = post(servers, body)
    return status, time.monotonic() - started


def tracker_db(servers) -> str:
    return servers.config_overrides["TRACKER_STORE_URL"].removeprefix("sqlite:///")


def stored_user_messages(servers, sender: str) -> int:
    with sqlite3.connect(tracker_db(servers)) as db:
        (count,) = db.execute(
            "SELECT count(*) FROM events WHERE sender_id = ? AND type_name = 'user'", (sender,)
        ).fetchone()
    return count


def test_a_repeated_delivery_is_acknowledged_and_answered_and_stored_once(servers, fake_graph):
    sender, other = new_sender(), new_sender()
    body = delivery(event(sender, "hello"))
    assert post(servers, body)[0] == 200
    assert post(servers, body)[0] == 200  # Facebook redelivers it
    racing = delivery(event(other, "hello"))
    threads = [threading.Thread(target=post, args=(servers, racing)) for _ in range(3)]
    for thread in threads:  # and redeliveries racing each other (two replicas would see this)
        thread.start()
    for thread in threads:
        thread.join()
    assert len(fake_graph.messages_to(sender)) == 1
    assert len(fake_graph.messages_to(other)) == 1
    time.sleep(1.0)  # time for a second answer, if one were coming
    assert len(fake_graph.messages_to(sender, timeout=0)) == 1
    assert len(fake_graph.messages_to(other, timeout=0)) == 1
    assert stored_user_messages(servers, sender) == stored_user_messages(servers, other) == 1


def test_a_hanging_send_api_still_gets_the_delivery_acknowledged_at_once(servers, fake_graph):
    sender = new_sender()
    fake_graph.hold()
    try:
        status, seconds = timed_post(servers, delivery(event(sender, "hello")))
        assert status == 200 and seconds < 1.0
        assert fake_graph.messages_to(sender, timeout=1.0) == []  # the answer waits on the API
    finally:
        fake_graph.release()
    (reply,) = fake_graph.messages_to(sender)  # and goes out once the API answers again
    assert "Baku Engineering University" in reply["message"]["text"]


def wait_until_answered(servers, senders: list[str] | None = None, timeout: float = 20) -> None:
    """Until the events of `senders` (None: everyone's) are answered and their conversations
    saved (an event is marked done after that)."""
    query = "SELECT count(*) FROM messenger_deliveries WHERE state = 'queued'"
    if senders is not None:
        query += f" AND sender_id IN ({','.join('?' * len(senders))})"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sqlite3.connect(tracker_db(servers)) as db:
            (waiting,) = db.execute(query, senders or []).fetchone()
        if not waiting:
            return
        time.sleep(0.1)
    raise AssertionError(f"events of {senders or 'everyone'} still queued after {timeout} s")


def hold_write_lock(servers, seconds: float) -> threading.Thread:
    """Another writer holds the tracker database's write lock for `seconds` (a slow store)."""
    locked = threading.Event()

    def hold() -> None:
        db = sqlite3.connect(tracker_db(servers), isolation_level=None)
        db.execute("BEGIN IMMEDIATE")
        locked.set()
        time.sleep(seconds)
        db.execute("ROLLBACK")
        db.close()

    thread = threading.Thread(target=hold)
    thread.start()
    locked.wait(5)
    return thread


def test_a_batch_under_a_slow_store_is_acknowledged_in_time_and_answered_once(servers, fake_graph):
    wait_until_answered(servers)  # earlier tests' conversations saved (see below)
    senders = [new_sender() for _ in range(3)]
    body = delivery(*(event(s, "hello") for s in senders), entries=2)
    slow = hold_write_lock(servers, 0.2)  # slower than usual: still recorded in time
    status, seconds = timed_post(servers, body)
    slow.join()
    assert status == 200 and seconds < 1.0
    assert [len(fake_graph.messages_to(s)) for s in senders] == [1, 1, 1]
    # Until the tracker store leaves the event loop (issue 11, item 4), a write lock held while
    # those conversations are still being saved would stall the whole server: let them finish.
    wait_until_answered(servers, senders)

    late = [new_sender() for _ in range(3)]
    body = delivery(*(event(s, "hello") for s in late), entries=2)
    locked = hold_write_lock(servers, 1.5)  # too slow to record within the second
    status, seconds = timed_post(servers, body)
    assert status == 503 and seconds < 1.0, "not recorded: Facebook must retry"
    locked.join()
    assert post(servers, body)[0] == 200  # Facebook's retry
    assert [len(fake_graph.messages_to(s)) for s in late] == [1, 1, 1]
    time.sleep(1.0)
    assert [len(fake_graph.messages_to(s, timeout=0)) for s in late] == [1, 1, 1]


def test_get_started_greets(servers, fake_graph):
    sender = new_sender()
    started = {
        "sender": {"id": sender},
        "recipient": {"id": "page"},
        "timestamp": 1765000000000,
        "postback": {"title": "Get Started", "payload": "GET_STARTED"},
    }
    assert post(servers, delivery(started))[0] == 200
    (reply,) = fake_graph.messages_to(sender)
    assert reply["message"]["text"].startswith("Hello! I'm the assistant")
    assert reply["message"]["quick_replies"], "with the greeting's buttons"


def test_bad_sender_ids_are_refused_before_anything_is_stored(servers, fake_graph):
    good = new_sender()
    long_id, nul_id = "1" * 10240, "123\x00456"
    body = delivery(event(long_id, "hello"), event(nul_id, "hello"), event(good, "hello"))
    status, text = post(servers, body)
    assert status == 200 and "2 refused" in text  # the rest of the batch goes on
    assert len(fake_graph.messages_to(good)) == 1
    assert post(servers, delivery(event(long_id, "hello")))[0] == 400
    with sqlite3.connect(tracker_db(servers)) as db:
        for table in ("events", "messenger_deliveries"):
            (odd,) = db.execute(
                f"SELECT count(*) FROM {table} WHERE length(sender_id) > 64 "
                "OR instr(sender_id, char(0)) > 0 OR sender_id LIKE '123%456'"
            ).fetchone()
            assert odd == 0, table


def test_events_a_dead_worker_left_are_answered_once_by_the_running_one(servers, fake_graph):
    """A worker that died after answering and storing an event, before marking it done, and one
    that died having only recorded an event: the live worker answers the second, not the first."""
    answered, recorded = new_sender(), new_sender()
    assert post(servers, delivery(event(answered, "hello")))[0] == 200
    assert len(fake_graph.messages_to(answered)) == 1
    wait_until_answered(servers, [answered])
    left = event(recorded, "hello")
    with sqlite3.connect(tracker_db(servers)) as db:
        db.execute(
            "UPDATE messenger_deliveries SET state = 'queued', attempts = 1, lease_until = 0, "
            "lease_owner = 'dead-process' WHERE sender_id = ?",
            (answered,),
        )
        db.execute(
            "INSERT INTO messenger_deliveries (event_key, sender_id, event, received_at, state, "
            "attempts, lease_owner, lease_until) VALUES (?, ?, ?, ?, 'queued', 1, 'dead', ?)",
            (dedup_key(left, recorded), recorded, json.dumps(left), time.time(), time.time() - 1),
        )
    assert len(fake_graph.messages_to(recorded)) == 1
    wait_until_answered(servers, [answered, recorded])
    assert len(fake_graph.messages_to(answered, timeout=0)) == 1, "not answered twice"
    assert stored_user_messages(servers, answered) == stored_user_messages(servers, recorded) == 1
