"""Every hostile or broken input of tests/data/bad_inputs.yml, on every channel (REST, the
widget's socket.io, Messenger), against the real servers: a clear reply or a 4xx, never a 5xx or
a stack trace, and the same conversation answers a normal question afterwards."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
import yaml

from bot.rasa_server.guard import EMPTY_REPLY, SLOW_DOWN_REPLY
from tests.helpers import run_coroutine
from tests.rasa_server.channels.messenger_client import (
    messenger_post,
    post_raw,
)
from tests.rasa_server.channels.widget_client import WidgetClient

pytestmark = pytest.mark.e2e

CORPUS = yaml.safe_load(
    (Path(__file__).parent.parent / "data" / "bad_inputs.yml").read_text(encoding="utf-8")
)
MESSAGES = CORPUS["messages"]
NORMAL_QUESTION, NORMAL_ANSWER = "Who coordinates PROMIG?", "Tbilisi State University"
HUGE_BYTES = 5 * 1024 * 1024
TRACE_MARKERS = ("Traceback (most recent call last)", '.py", line ', "site-packages")


def ids(cases: List[Dict]) -> List[str]:
    return [c["id"] for c in cases]


def text_of(case: Dict) -> str:
    return case["text"] * case.get("repeat", 1)


def new_sender(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def assert_clean_error(status: int, body: str) -> None:
    assert status < 500, f"{status}: {body[:300]}"
    for marker in TRACE_MARKERS:
        assert marker not in body, body[:2000]


def assert_reply_fits(case: Dict, text: str) -> None:
    expect = case["expect"]
    assert text.strip(), f"{case['id']}: no reply"
    if expect == "empty":
        assert text == EMPTY_REPLY
    elif expect == "too_long":
        assert text.startswith("That message is too long for me"), text
        assert "2,000 characters" in text
    else:
        assert text not in (EMPTY_REPLY, SLOW_DOWN_REPLY), text
        assert "too long" not in text
    for marker in TRACE_MARKERS:
        assert marker not in text


# --- REST --------------------------------------------------------------------------------------


def rest_send(servers, sender: str, text: str) -> Tuple[int, List[Dict]]:
    status, body = post_raw(
        servers.webhook, json.dumps({"sender": sender, "message": text}).encode()
    )
    assert_clean_error(status, body)
    return status, json.loads(body)


def rest_text(messages: List[Dict]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


@pytest.mark.parametrize("case", MESSAGES, ids=ids(MESSAGES))
def test_rest(servers, case):
    sender = new_sender("bad-rest")
    status, messages = rest_send(servers, sender, text_of(case))
    assert status == 200
    assert_reply_fits(case, rest_text(messages))
    assert NORMAL_ANSWER in rest_text(rest_send(servers, sender, NORMAL_QUESTION)[1])


def raw_body(case: Dict, sender: str) -> bytes:
    if "body_hex" in case:
        return bytes.fromhex(case["body_hex"])
    if "body_latin1" in case:
        return case["body_latin1"].replace("{sender}", sender).encode("latin-1")
    generated = case.get("generate")
    if generated == "long_sender":
        return json.dumps({"sender": "x" * 300, "message": "hello"}).encode()
    if generated == "deeply_nested":
        return b'{"sender": "' + sender.encode() + b'", "message": ' + b"[" * 200_000 + b"}"
    return case["body"].replace("{sender}", sender).encode("utf-8")


def expected_statuses(case: Dict) -> List[int]:
    status = case["status"]
    return status if isinstance(status, list) else [status]


def send_headers_only(
    port: int, path: str, length: int, headers: Dict[str, str]
) -> Tuple[int, str]:
    """Announce a body of `length` bytes and read the answer without sending it: a server that
    refuses big bodies says so before reading (and buffering) them."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.putrequest("POST", path)
        for name, value in {"Content-Type": "application/json", **headers}.items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(length))
        connection.endheaders()
        reply = connection.getresponse()
        return reply.status, reply.read().decode("utf-8", "replace")
    finally:
        connection.close()


def send_chunked(port: int, path: str, total: int, headers: Dict[str, str]) -> Tuple[int, str]:
    """Stream a body of `total` bytes with chunked encoding (no Content-Length up front)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    chunk = b"[" * 65536
    try:
        connection.putrequest("POST", path)
        for name, value in {"Content-Type": "application/json", **headers}.items():
            connection.putheader(name, value)
        connection.putheader("Transfer-Encoding", "chunked")
        connection.endheaders()
        try:
            for _ in range(total // len(chunk)):
                connection.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            connection.send(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading: its answer is already waiting
        reply = connection.getresponse()
        return reply.status, reply.read().decode("utf-8", "replace")
    finally:
        connection.close()


def with_known_issues(cases: List[Dict]) -> List[Any]:
    """Cases marked `known_issue` in the corpus are expected to fail (strictly: once fixed, the
    mark must go)."""
    return [
        pytest.param(c, id=c["id"], marks=pytest.mark.xfail(reason=c["known_issue"], strict=True))
        if c.get("known_issue")
        else pytest.param(c, id=c["id"])
        for c in cases
    ]


REST_BODIES = CORPUS["rest_bodies"]


@pytest.mark.parametrize("case", with_known_issues(REST_BODIES))
def test_rest_raw_body(servers, case):
    sender = new_sender("bad-rest-body")
    if case.get("generate") == "huge":
        status, body = send_headers_only(
            servers.rasa_port, "/webhooks/rest/webhook", HUGE_BYTES, {}
        )
    else:
        status, body = post_raw(servers.webhook, raw_body(case, sender))
    assert_clean_error(status, body)
    assert status in expected_statuses(case), body[:300]
    if status == 400:
        error = json.loads(body)
        assert set(error) == {"error"} and len(error["error"]) < 120, error
    if status == 200:
        assert rest_text(json.loads(body)).strip(), "a 200 carries a reply"
    assert NORMAL_ANSWER in rest_text(rest_send(servers, sender, NORMAL_QUESTION)[1])


def test_rest_refuses_a_huge_body_even_when_streamed_in_chunks(servers):
    status, body = send_chunked(servers.rasa_port, "/webhooks/rest/webhook", 3 * 1024 * 1024, {})
    assert status == 413, body[:300]
    assert_clean_error(status, body)


def test_rest_ignores_a_client_chosen_input_channel(servers):
    from tests.servers import ask

    sender = new_sender("bad-rest-channel")
    body = {"sender": sender, "message": "hello", "input_channel": "messenger"}
    status, _ = post_raw(servers.webhook, json.dumps(body).encode())
    assert status == 200
    assert ask(servers.webhook, sender, NORMAL_QUESTION)  # same conversation goes on


# --- socket.io (the widget) ----------------------------------------------------------------------


async def widget_send(widget: WidgetClient, session_id: str, text: str) -> List[Dict]:
    await widget.client.emit("user_uttered", {"message": text, "session_id": session_id})
    return await widget.answer(quiet=0.3)


def widget_exchange(servers, text: str) -> Tuple[List[Dict], List[Dict]]:
    async def scenario():
        url = f"http://127.0.0.1:{servers.rasa_port}"
        async with WidgetClient(url, servers.web_origins[0]) as widget:
            session_id = await widget.session()
            first = await widget_send(widget, session_id, text)
            second = await widget_send(widget, session_id, NORMAL_QUESTION)
            return first, second

    return run_coroutine(scenario())


@pytest.mark.parametrize("case", MESSAGES, ids=ids(MESSAGES))
def test_socketio(servers, case):
    first, second = widget_exchange(servers, text_of(case))
    assert len(first) == 1, first
    assert_reply_fits(case, first[0].get("text", ""))
    assert NORMAL_ANSWER in second[0]["text"]


def engineio(servers, method: str, query: str, body: bytes | None = None) -> Tuple[int, bytes]:
    url = f"http://127.0.0.1:{servers.rasa_port}/socket.io/?EIO=4&transport=polling{query}"
    request = urllib.request.Request(
        url, body, {"Origin": servers.web_origins[0], "Content-Type": "text/plain"}, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.parametrize(
    "packet",
    [
        b'42["user_uttered",{"message":"caf\xe9 \xff\xfe","session_id":"SESSION"}]',
        b"\xff\xfe\x00\xd8garbage",
        b'42["user_uttered",' + b"[" * 100_000,
        b'42["user_uttered",{"message":12,"session_id":"SESSION"}]',
        b'42["user_uttered","just a string"]',
        b'42["session_request",[1,2,3]]',
    ],
    ids=["invalid_utf8_message", "invalid_utf8_packet", "deeply_nested", "number", "string",
         "bad_session_request"],
)  # fmt: skip
def test_socketio_raw_packets(servers, packet):
    """Broken engine.io/socket.io packets at the HTTP level (long-polling transport)."""
    status, body = engineio(servers, "GET", "")
    assert status == 200
    sid = json.loads(body[body.index(b"{") :])["sid"]
    status, _ = engineio(servers, "POST", f"&sid={sid}", b"40")
    assert status == 200
    engineio(servers, "GET", f"&sid={sid}")  # the namespace's connect answer
    session_id = uuid.uuid4().hex
    status, body = engineio(
        servers, "POST", f"&sid={sid}", packet.replace(b"SESSION", session_id.encode())
    )
    assert_clean_error(status, body.decode("utf-8", "replace"))
    first, second = widget_exchange(servers, "hello")
    assert first and NORMAL_ANSWER in second[0]["text"]


# --- Messenger -----------------------------------------------------------------------------------


def delivery(sender: str, text: str) -> bytes:
    event = {
        "sender": {"id": sender},
        "recipient": {"id": "page"},
        "message": {"mid": f"mid.{uuid.uuid4().hex}", "text": text},  # new: not a redelivery
    }
    return json.dumps({"object": "page", "entry": [{"id": "page", "messaging": [event]}]}).encode()


def messenger_texts(fake_graph, sender: str, count: int, timeout: float = 20) -> List[str]:
    return [m["message"]["text"] for m in fake_graph.messages_to(sender, count, timeout)]


def messenger_normal_question(servers, fake_graph, sender: str, before: int) -> None:
    status, body = messenger_post(servers, delivery(sender, NORMAL_QUESTION))
    assert status == 200, body
    replies = messenger_texts(fake_graph, sender, before + 1)
    assert NORMAL_ANSWER in "\n".join(replies[before:])


@pytest.mark.parametrize("case", MESSAGES, ids=ids(MESSAGES))
def test_messenger(servers, fake_graph, case):
    sender = new_sender("psid-bad")
    status, body = messenger_post(servers, delivery(sender, text_of(case)))
    assert_clean_error(status, body)
    assert status == 200
    if case.get("messenger") == "none":
        assert fake_graph.messages_to(sender, timeout=1.5) == []
        before = 0
    else:
        replies = messenger_texts(fake_graph, sender, 1)
        assert len(replies) == 1, replies
        assert_reply_fits(case, replies[0])
        before = 1
    messenger_normal_question(servers, fake_graph, sender, before)


MESSENGER_BODIES = CORPUS["messenger_bodies"]


@pytest.mark.parametrize("case", with_known_issues(MESSENGER_BODIES))
def test_messenger_raw_body(servers, fake_graph, case):
    sender = new_sender("psid-bad-body")
    if case.get("generate") == "huge":
        status, body = send_headers_only(
            servers.rasa_port,
            "/webhooks/messenger/webhook",
            HUGE_BYTES,
            {"X-Hub-Signature-256": "sha256=" + "0" * 64},
        )
    else:
        status, body = messenger_post(servers, raw_body(case, sender))
    assert_clean_error(status, body)
    assert status in expected_statuses(case), body[:300]
    messenger_normal_question(servers, fake_graph, sender, 0)


# --- the action server ---------------------------------------------------------------------------

MARKER = "SECRET-MARKER-7f3c"


def action_call(action: str, **tracker: Any) -> Dict[str, Any]:
    base = {
        "sender_id": f"{MARKER}-sender",
        "slots": {"project": MARKER},
        "latest_message": {"text": f"my passport number is {MARKER}", "intent": {}, "entities": []},
        "events": [{"event": "user", "text": f"{MARKER} private message", "timestamp": 1.0}],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    }
    return {"next_action": action, "sender_id": base["sender_id"], "tracker": {**base, **tracker},
            "domain": {}, "version": "3.6.21"}  # fmt: skip


def action_webhook(servers, body: bytes, headers: Dict[str, str] | None = None) -> Tuple[int, str]:
    """POST as Rasa does, with the shared secret (bot/action_server/auth.py)."""
    auth = {"Authorization": f"Bearer {servers._env()['ACTION_SERVER_TOKEN']}"}
    return post_raw(
        f"http://127.0.0.1:{servers.action_port}/webhook", body, {**auth, **(headers or {})}
    )


def action_server_cases() -> Dict[str, Tuple[bytes, set]]:
    """name -> (body, acceptable statuses); each body carries MARKER in its tracker."""

    def call(action: str, **tracker: Any) -> bytes:
        return json.dumps(action_call(action, **tracker)).encode()

    raising = {"text": MARKER, "entities": f"{MARKER} not a list"}
    return {
        "unknown_action": (call("action_that_does_not_exist"), {404}),
        "action_raises": (call("action_project_details", latest_message=raising), {500}),
        "tracker_of_the_wrong_shape": (
            call("action_project_details", events=MARKER, slots=MARKER),
            {200, 400, 500},  # rasa_sdk may or may not cope: either way, nothing echoed
        ),
        "tracker_not_an_object": (
            json.dumps({"next_action": "action_source", "tracker": MARKER}).encode(),
            {400},
        ),
        "body_a_list": (json.dumps([action_call("action_source")]).encode(), {400}),
        "invalid_json": (b'{"next_action": "x", "tracker": {"x": "' + MARKER.encode(), {400}),
        "invalid_utf8": (b'{"tracker": "\xff' + MARKER.encode() + b'"}', {400}),
        "empty_body": (b"", {400}),
    }


ACTION_CASES = action_server_cases()


@pytest.mark.parametrize("name", list(ACTION_CASES))
def test_action_server_errors_never_echo_the_conversation(servers, name):
    body, statuses = ACTION_CASES[name]
    status, reply = action_webhook(servers, body)
    assert status in statuses, reply
    assert MARKER not in reply and "passport" not in reply
    assert "request_body" not in reply and "Traceback" not in reply
    if status >= 400:
        error = json.loads(reply)
        assert set(error) <= {"error", "action_name"} and len(error["error"]) < 100, error


def test_action_server_refuses_a_decompression_bomb(servers):
    import zlib

    bomb = zlib.compress(b" " * (40 * 1024 * 1024), 9)
    assert len(bomb) < 100_000
    status, reply = action_webhook(servers, bomb, {"Content-Encoding": "deflate"})
    assert status == 413, reply


def listening_addresses(port: int) -> List[str]:
    """Local addresses of the sockets LISTENing on `port`, from the kernel's tables."""
    import ipaddress

    found = []
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if int(hex_port, 16) != port or fields[3] != "0A":  # 0A: LISTEN
                continue
            raw = bytes.fromhex(address)
            if width == 8:
                found.append(str(ipaddress.IPv4Address(raw[::-1])))
            else:  # four little-endian 32-bit words
                words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
                found.append(str(ipaddress.IPv6Address(words)))
    return found


def test_the_action_server_listens_on_loopback_only(servers):
    """The kernel's listening table shows every interface the server can be reached on (we don't
    send traffic to the machine's non-loopback addresses); 127.0.0.2 is another local address
    in the loopback range that a server bound to 0.0.0.0 would accept connections on."""
    import socket

    assert listening_addresses(servers.action_port) == ["127.0.0.1"]
    assert listening_addresses(servers.rasa_port), "the table can be read (sanity)"
    with socket.socket() as probe:
        probe.settimeout(5)
        assert probe.connect_ex(("127.0.0.2", servers.action_port)) != 0
    with socket.socket() as probe:
        probe.settimeout(5)
        assert probe.connect_ex(("127.0.0.1", servers.action_port)) == 0


def test_rasa_http_api_is_off_by_default(servers):
    for path in ("/conversations/someone/tracker", "/model/parse", "/status"):
        request = urllib.request.Request(f"http://127.0.0.1:{servers.rasa_port}{path}")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code in (404, 405), path
