"""bot.rasa_server.guard in-process: cleaning, limits, the sliding-window rate limiter, the API
flags, and the channel mixin that applies them."""

from __future__ import annotations

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.rasa_server import guard
from bot.rasa_server.guard import (
    EMPTY_REPLY,
    SLOW_DOWN_REPLY,
    Guard,
    RateLimiter,
    api_arguments,
    check_api_arguments,
    clean_text,
    with_api_arguments,
)
from tests.helpers import run_coroutine


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("hello", "hello"),
        ("a\0b", "ab"),
        ("\x01\x1b[31mred\x7f\x9b", "[31mred"),
        ("line\r\nbreak\rhere\ttab", "line\nbreak\nhere\ttab"),
        ("\ud800lone\udfff", "lone"),
        ("مرحبا \u202eRTL\u200f 🎓 👨‍👩‍👧", "مرحبا \u202eRTL\u200f 🎓 👨‍👩‍👧"),
    ],
)
def test_clean_text_drops_controls_and_surrogates_only(raw, clean):
    assert clean_text(raw) == clean
    assert clean_text(clean) == clean


def test_sliding_window_allows_the_limit_then_refuses_until_the_oldest_expires():
    clock = Clock()
    limiter = RateLimiter(3, window=60, clock=clock)
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b"), "another sender is unaffected"
    clock.now += 59.9
    assert not limiter.allow("a")
    clock.now += 0.2  # the first three are now older than 60 s
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]


def test_refused_messages_do_not_extend_the_penalty():
    clock = Clock()
    limiter = RateLimiter(2, window=10, clock=clock)
    assert limiter.allow("a") and limiter.allow("a")
    for _ in range(50):
        clock.now += 0.1
        assert not limiter.allow("a")
    clock.now += 5.1  # 10.1 s after the accepted ones
    assert limiter.allow("a")


def test_the_limiter_remembers_a_bounded_number_of_senders():
    clock = Clock()
    limiter = RateLimiter(1, window=60, max_senders=100, clock=clock)
    for i in range(1000):
        limiter.allow(f"s{i}")
    assert len(limiter) == 100
    assert not limiter.allow("s999"), "recent senders are still limited"
    clock.now += 61
    limiter.allow("new")
    assert len(limiter) == 1, "senders idle for a whole window are forgotten"


def test_a_zero_limit_switches_rate_limiting_off():
    limiter = RateLimiter(0)
    assert all(limiter.allow("a") for _ in range(100))


def message(text, sender="s"):
    return UserMessage(text, CollectingOutputChannel(), sender)


def test_guard_decisions():
    check = Guard(10, RateLimiter(100)).check
    assert check(message("")) == EMPTY_REPLY
    assert check(message(" \t\n ")) == EMPTY_REPLY
    assert check(message("\0\x01")) == EMPTY_REPLY
    assert "too long" in check(message("what is it?"))  # 11 characters, in English
    assert "under 10 characters" in check(message("what is it?"))
    ok = message("\0ten chars\0 ")
    assert check(ok) is None
    assert ok.text == "ten chars", "the cleaned text is what NLU sees"


def test_guard_counts_every_message_including_refused_and_payloads():
    check = Guard(10, RateLimiter(3)).check
    assert check(message("")) == EMPTY_REPLY
    assert check(message("x" * 50)) != SLOW_DOWN_REPLY
    assert check(message('/greet{"a": 1}')) is not None  # too long, but counted
    assert check(message("hi")) == SLOW_DOWN_REPLY
    assert check(message("hi", sender="other")) is None


def test_the_channel_guard_replies_through_the_output_channel_without_processing(monkeypatch):
    from bot.rasa_server.channels.guarded import guarded, shared_guard

    calls = []

    async def processed(message):
        calls.append(message.text)
        return ["processed"]

    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "2")
    monkeypatch.setenv("MAX_MESSAGE_CHARS", "50")
    shared_guard.cache_clear()  # read the limits above
    handler = guarded(processed)

    async def send(text, sender="s"):
        msg = message(text, sender)
        result = await handler(msg)
        return result, msg.output_channel.messages

    try:
        too_long = guard.too_long_reply(50)
        assert run_coroutine(send("x" * 51)) == (None, [{"recipient_id": "s", "text": too_long}])
        assert run_coroutine(send("hello\0")) == (["processed"], [])
        _, sent = run_coroutine(send("again"))
        assert sent == [{"recipient_id": "s", "text": SLOW_DOWN_REPLY}]
        assert calls == ["hello"]
        other_channel = guarded(processed)  # one guard per process: the limit spans channels
        assert run_coroutine(other_channel(message("more"))) is None
        assert run_coroutine(send("hi", "t"))[0] == ["processed"]
    finally:
        shared_guard.cache_clear()


def test_every_channel_of_credentials_yml_is_guarded():
    """The guard is a mixin of our channels (Rasa's extension point), so each channel named in
    credentials.yml must be one and must not bypass it by overriding blueprint()."""
    import yaml
    from rasa.shared.utils.common import class_from_module_path

    from bot import paths
    from bot.rasa_server.channels.guarded import GuardedInput

    credentials = yaml.safe_load((paths.ROOT / "credentials.yml").read_text())
    assert len(credentials) == 3
    for class_path in credentials:
        channel = class_from_module_path(class_path)
        assert issubclass(channel, GuardedInput), class_path
        assert channel.blueprint is GuardedInput.blueprint, class_path


def test_the_request_body_limit_is_sanics_own_setting(monkeypatch):
    from sanic import Sanic

    monkeypatch.setenv("MAX_REQUEST_BYTES", "1000")
    env = guard.request_size_environment({})
    assert env == {"SANIC_REQUEST_MAX_SIZE": "1000"}
    assert guard.request_size_environment({"SANIC_REQUEST_MAX_SIZE": "5"}) == {}, "operator wins"
    monkeypatch.setenv("SANIC_REQUEST_MAX_SIZE", env["SANIC_REQUEST_MAX_SIZE"])
    assert Sanic("beu_size_check").config.REQUEST_MAX_SIZE == 1000


def test_api_is_off_without_a_secret_and_local_and_authenticated_with_one():
    assert api_arguments({}) == []
    assert api_arguments({"RASA_API_JWT_SECRET": "  "}) == []
    flags = api_arguments({"RASA_API_JWT_SECRET": "s3cret"})
    assert flags[flags.index("--jwt-secret") + 1] == "s3cret"
    assert flags[flags.index("-i") + 1] == "127.0.0.1"
    assert "--enable-api" in flags
    argv = ["rasa", "run", "--port", "5005"]
    assert with_api_arguments(argv, {}) == argv
    assert with_api_arguments(argv, {"RASA_API_JWT_SECRET": "x"}) == argv + api_arguments(
        {"RASA_API_JWT_SECRET": "x"}
    )
    assert with_api_arguments(["rasa", "train"], {"RASA_API_JWT_SECRET": "x"}) == ["rasa", "train"]
    actions = ["rasa", "run", "actions"]
    assert with_api_arguments(actions, {"RASA_API_JWT_SECRET": "x"}) == actions
    assert check_api_arguments(argv) is None
    assert check_api_arguments(with_api_arguments(argv, {"RASA_API_JWT_SECRET": "x"})) is None
    assert "without JWT" in check_api_arguments([*argv, "--enable-api"])
    assert "without JWT" in check_api_arguments([*argv, "--enable-api", "--auth-token", "t"])
    public = [*argv, "--enable-api", "--jwt-secret", "x", "-i", "0.0.0.0"]
    assert "127.0.0.1" in check_api_arguments(public)
    assert "127.0.0.1" in check_api_arguments([*argv, "--enable-api", "--jwt-secret", "x"])
