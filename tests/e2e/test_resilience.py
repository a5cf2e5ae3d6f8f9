"""With the action server stopped or hanging, the student gets an apology within 2 seconds
(stock Rasa would wait up to 300 s and then send nothing)."""

from __future__ import annotations

import socket
import threading
import time
import uuid

import pytest

from tests.servers import ask

pytestmark = pytest.mark.e2e


def action_server(servers):
    return next(p for p in servers.processes if "--actions" in p.args)


@pytest.fixture(scope="module", autouse=True)
def restores_the_action_server(servers):
    """These tests stop the shared set's action server (one Rasa start saved); it is started
    again afterwards, and the set is ready before the next module uses it."""
    yield
    if action_server(servers).poll() is not None:
        servers.processes[:] = [p for p in servers.processes if p.poll() is None]
        servers.start_actions()
        servers.wait_ready()


def timed_ask(servers, text):
    start = time.perf_counter()
    messages = ask(servers.webhook, f"fault-{uuid.uuid4().hex[:8]}", text)
    return " ".join(m.get("text", "") for m in messages), time.perf_counter() - start


def stop_action_server(servers):
    actions = action_server(servers)
    actions.terminate()
    actions.wait(timeout=15)


class HangingServer:
    """Accepts connections on the action server's port and never answers."""

    def __init__(self, port: int) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen()
        self.clients = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            self.clients.append(client)

    def close(self) -> None:
        for client in self.clients:
            client.close()
        self.sock.close()


def test_answers_while_the_action_server_is_up(servers):
    reply, _ = timed_ask(servers, "Who coordinates PROMIG?")
    assert "Tbilisi" in reply


def test_apology_when_the_action_server_is_down(servers):
    stop_action_server(servers)
    reply, seconds = timed_ask(servers, "Who coordinates PROMIG?")
    assert reply.startswith("Sorry, I can't look that up right now")
    assert "International Relations and Project Management Department" in reply
    assert seconds < 2.0
    # Answers that need no action server keep working.
    reply, _ = timed_ask(servers, "hello")
    assert "Hello" in reply


def test_apology_when_the_action_server_hangs(servers):
    if action_server(servers).poll() is None:
        stop_action_server(servers)
    hanging = HangingServer(servers.action_port)
    try:
        reply, seconds = timed_ask(servers, "When did the PAWER project run?")
    finally:
        hanging.close()
    assert reply.startswith("Sorry, I can't look that up right now")
    assert seconds < 2.0
