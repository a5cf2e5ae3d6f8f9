"""Only Rasa may call the action server (issue 11 item 8), tested on the shared real servers:
a call without the shared secret plants nothing in the staff database, Rasa's own calls work,
and the guard's limits hold there too (bot/action_server/auth.py)."""

from __future__ import annotations

import json
import urllib.request
import uuid

import pytest

from bot.rasa_server.guard import MAX_SENDER_CHARS, max_message_chars
from bot.staff_db.db import make_engine
from bot.staff_db.inbox import Inbox
from tests.rasa_server.channels.messenger_client import post_raw
from tests.servers import ask


def token(servers) -> str:
    return servers._env()["ACTION_SERVER_TOKEN"]


def planting_calls(sender: str, text: str) -> list[bytes]:
    """What the outsider of issue 11 sent: a handoff, and an unanswered question for the inbox."""
    tracker = {
        "sender_id": sender,
        "slots": {},
        "latest_message": {"text": text, "intent": {"name": "nlu_fallback"}, "entities": []},
        "events": [{"event": "user", "text": text, "timestamp": 1.0}],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
        "latest_input_channel": "rest",
    }
    return [
        json.dumps({"next_action": action, "sender_id": sender, "tracker": tracker}).encode()
        for action in ("action_handoff", "action_not_covered")
    ]


def planted(servers, sender: str) -> list:
    engine = make_engine(servers.database_url)
    try:
        inbox = Inbox(engine)
        mine = inbox.hash_sender(sender)
        found = [h for h in inbox.list_handoffs(status=None) if h.sender_hash == mine]
        return found + [q for q in inbox.list_unanswered() if q.sender_hash == mine]
    finally:
        engine.dispose()


def webhook(servers, query: str = "") -> str:
    return f"http://127.0.0.1:{servers.action_port}/webhook{query}"


@pytest.mark.parametrize(
    "headers, query",
    [
        ({}, ""),
        ({"Authorization": "Bearer wrong-token-of-a-plausible-length"}, ""),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, ""),
        ({"X-Forwarded-For": "127.0.0.1"}, "?token=guess"),
    ],
    ids=["no-secret", "wrong-secret", "basic-auth", "query-token"],
)
def test_a_call_without_the_secret_is_refused_and_plants_nothing(servers, headers, query):
    sender = f"outsider-{uuid.uuid4().hex[:8]}"
    for body in planting_calls(sender, "x" * 12_000):
        status, reply = post_raw(webhook(servers, query), body, headers)
        assert status == 401, reply
        assert json.loads(reply) == {"error": "unauthorized"}
    status, _ = post_raw(f"http://127.0.0.1:{servers.action_port}/actions", b"", headers)
    assert status == 401
    assert planted(servers, sender) == []


def test_the_health_check_stays_open(servers):
    url = f"http://127.0.0.1:{servers.action_port}/health"
    with urllib.request.urlopen(url, timeout=10) as reply:
        assert reply.status == 200


def test_rasas_own_calls_carry_the_secret(servers):
    reply = " ".join(
        m.get("text", "") for m in ask(servers.webhook, "auth-ok", "tell me about CRENG")
    )
    assert "CRENG" in reply and not reply.startswith("Sorry")


def test_with_the_secret_the_guards_limits_still_apply(servers):
    auth = {"Authorization": f"Bearer {token(servers)}"}
    sender = f"long-{uuid.uuid4().hex[:8]}"
    too_long = planting_calls(sender, "x" * (max_message_chars() + 1))
    for body in too_long:
        status, reply = post_raw(webhook(servers), body, auth)
        assert status == 413, reply
    long_sender = "s" * (MAX_SENDER_CHARS + 1)
    status, reply = post_raw(webhook(servers), planting_calls(long_sender, "hi")[0], auth)
    assert status == 400, reply
    assert planted(servers, sender) == [] and planted(servers, long_sender) == []
    # over ACTIONS_MAX_REQUEST_BYTES: never parsed (Sanic 21.12 stops reading it; the request
    # middleware sees no complete JSON and answers 400, or Sanic answers 413)
    assert post_oversized(servers.action_port, 17 << 20, auth) in (400, 413)


def post_oversized(port: int, size: int, headers: dict[str, str]) -> int:
    """Send a body of `size` bytes until the server stops reading; the status it answered."""
    import socket

    lines = ["POST /webhook HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {size}"]
    lines += ["Content-Type: application/json", *(f"{k}: {v}" for k, v in headers.items())]
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        chunk, sent = b"x" * 65536, 0
        try:
            while sent < size:
                sock.sendall(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server refused the rest, as it should
        return int(sock.recv(4096).split()[1])
