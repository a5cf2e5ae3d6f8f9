"""The per-sender rate limit and the opt-in HTTP API, on one set of real servers started with
RATE_LIMIT_PER_MINUTE=5 and RASA_API_JWT_SECRET (one start-up instead of two; the API also lets
us look inside the tracker: refused messages never reach it)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from typing import Dict, List, Tuple

import jwt
import pytest

from bot.rasa_server.guard import SLOW_DOWN_REPLY
from tests.security.test_bad_input import listening_addresses
from tests.servers import ask, start_servers

# One worker starts these servers once (each worker would otherwise start its own set).
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("ratelimit")]

SECRET = f"api-secret-{uuid.uuid4().hex}"


@pytest.fixture(scope="module")
def limited():
    running = start_servers(
        "ratelimit", {"RATE_LIMIT_PER_MINUTE": "5", "RASA_API_JWT_SECRET": SECRET}, web=False
    )
    yield running
    running.stop()


def token(role: str = "admin", username: str = "operator", secret: str = SECRET) -> str:
    claims = {"user": {"username": username, "role": role}, "exp": int(time.time()) + 300}
    return jwt.encode(claims, secret, algorithm="HS256")


def api_get(servers, path: str, bearer: str | None = None) -> Tuple[int, Dict]:
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    request = urllib.request.Request(f"http://127.0.0.1:{servers.rasa_port}{path}", None, headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def user_texts(servers, sender: str) -> List[str]:
    status, tracker = api_get(servers, f"/conversations/{sender}/tracker", token())
    assert status == 200, tracker
    return [e.get("text") for e in tracker["events"] if e["event"] == "user"]


def text_of(messages: List[Dict]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def test_the_sixth_message_in_a_minute_gets_the_slow_down_reply(limited):
    sender, other = f"rl-{uuid.uuid4().hex[:8]}", f"rl-{uuid.uuid4().hex[:8]}"
    five = [
        "hello",
        "/greet",  # button payloads count too
        "Who coordinates PROMIG?",
        '/ask_project_coordinator{"project": "NIZAMI"}',
        "thanks",
    ]
    start = time.monotonic()
    replies = [text_of(ask(limited.webhook, sender, text)) for text in five]
    assert all(r and r != SLOW_DOWN_REPLY for r in replies), replies
    sixth = ask(limited.webhook, sender, "Do you have partners in Italy?")
    assert text_of(sixth) == SLOW_DOWN_REPLY
    assert text_of(ask(limited.webhook, sender, "/greet")) == SLOW_DOWN_REPLY
    assert time.monotonic() - start < 60, "the test must run inside one window"

    unaffected = ask(limited.webhook, other, "Who coordinates PROMIG?")
    assert "Tbilisi State University" in text_of(unaffected)

    texts = user_texts(limited, sender)
    assert len(texts) == 5, texts
    assert "Do you have partners in Italy?" not in texts, "refused messages never reach NLU"


def test_a_too_long_message_never_reaches_the_tracker(limited):
    sender = f"long-{uuid.uuid4().hex[:8]}"
    reply = text_of(ask(limited.webhook, sender, "Tell me about Erasmus. " * 900))
    assert reply.startswith("That message is too long for me")
    assert user_texts(limited, sender) == []
    ask(limited.webhook, sender, "hello\0")
    assert user_texts(limited, sender) == ["hello"], "the stored text is the cleaned one"


def test_the_api_requires_a_valid_jwt(limited):
    path = "/conversations/someone/tracker"
    assert api_get(limited, path)[0] == 401
    assert api_get(limited, path, "not-a-jwt")[0] == 401
    assert api_get(limited, path, token(secret="wrong-secret"))[0] == 401
    expired = jwt.encode({"user": {"role": "admin"}, "exp": 1}, SECRET, algorithm="HS256")
    assert api_get(limited, path, expired)[0] == 401
    status, tracker = api_get(limited, path, token())
    assert status == 200 and tracker["sender_id"] == "someone"
    assert api_get(limited, path, token("user", "someone-else"))[0] == 403
    assert api_get(limited, path, token("user", "someone"))[0] == 200


def test_with_the_api_on_rasa_listens_on_loopback_only(limited):
    assert listening_addresses(limited.rasa_port) == ["127.0.0.1"]
