"""bot/action_server/auth.py in-process: the secret, its comparison, the guard's limits, and
a server that will not start without a secret. The real server is tested with Rasa in
tests/security/test_action_server_auth.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.action_server.auth import (
    MissingToken,
    authorised,
    configured_token,
    limit_problem,
)
from bot.rasa_server.guard import MAX_SENDER_CHARS, max_message_chars

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "a-shared-secret-of-some-length"


def test_a_token_is_required_and_must_not_be_trivial():
    with pytest.raises(MissingToken, match="ACTION_SERVER_TOKEN is not set"):
        configured_token({})
    with pytest.raises(MissingToken, match="too short"):
        configured_token({"ACTION_SERVER_TOKEN": "short"})
    assert configured_token({"ACTION_SERVER_TOKEN": f" {TOKEN}\n"}) == TOKEN


@pytest.mark.parametrize(
    "header, ok",
    [
        (f"Bearer {TOKEN}", True),
        (f"bearer {TOKEN}", True),
        (None, False),
        ("", False),
        (TOKEN, False),
        (f"Bearer {TOKEN}x", False),
        (f"Bearer {TOKEN[:-1]}", False),
        (f"Basic {TOKEN}", False),
        ("Bearer ", False),
    ],
)
def test_only_the_exact_bearer_token_is_authorised(header, ok):
    assert authorised(header, TOKEN) is ok


def call(text: str = "hi", sender: str = "s") -> dict:
    tracker = {"sender_id": sender, "latest_message": {"text": text}}
    return {"next_action": "action_source", "sender_id": sender, "tracker": tracker}


def test_action_calls_are_held_to_the_guards_limits():
    assert limit_problem(call()) is None
    assert limit_problem(call("x" * max_message_chars())) is None
    assert limit_problem(call("x" * (max_message_chars() + 1)))[0] == 413
    assert limit_problem(call(sender="s" * MAX_SENDER_CHARS)) is None
    assert limit_problem(call(sender="s" * (MAX_SENDER_CHARS + 1)))[0] == 400
    assert limit_problem({"next_action": "a", "tracker": {"sender_id": ["x"]}})[0] == 400


def test_the_action_server_refuses_to_start_without_a_secret():
    env = {k: v for k, v in os.environ.items() if k != "ACTION_SERVER_TOKEN"}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, "-m", "bot.action_server", "--actions", "actions", "--port", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "ACTION_SERVER_TOKEN is not set" in result.stderr
