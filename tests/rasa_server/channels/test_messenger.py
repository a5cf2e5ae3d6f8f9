"""The Messenger webhook, for real: the Rasa server with our connector, a fake Graph API on
loopback, and requests signed the way Facebook signs them."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

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
        "message": {"mid": "m", **message},
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
