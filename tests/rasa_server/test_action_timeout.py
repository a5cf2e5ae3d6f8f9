"""The action-call budget (bot/rasa_server/patches/action_timeout.py) counts the action's own
time, not the time the event loop spent on other students' messages, and still gives up on a
call that hangs."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.rasa_server.patches.action_timeout import within_budget
from tests.helpers import run_coroutine


async def answer_after(seconds: float, steps: int = 1) -> str:
    """An action call: `steps` waits (connect, send, headers, body...) of `seconds` in all."""
    for _ in range(steps):
        await asyncio.sleep(seconds / steps)
    return "answer"


async def busy_loop() -> None:
    """Other students' messages: the loop is blocked 0.15 s at a time, for about a second."""
    for _ in range(6):
        time.sleep(0.15)
        await asyncio.sleep(0)


def test_an_action_that_hangs_times_out_after_its_budget():
    async def scenario() -> float:
        start = time.monotonic()
        with pytest.raises(asyncio.TimeoutError):
            await within_budget(answer_after(5), budget=0.3, cap=5)
        return time.monotonic() - start

    assert 0.25 <= run_coroutine(scenario()) < 1.5


def test_time_the_loop_spent_on_other_messages_is_not_counted():
    async def scenario() -> str:
        other = asyncio.ensure_future(busy_loop())
        await asyncio.sleep(0)
        result = await within_budget(answer_after(0.2, steps=4), budget=0.4, cap=5)
        await other
        return result

    assert run_coroutine(scenario()) == "answer"


def test_a_plain_wall_clock_timeout_would_have_apologised_there():
    """The same scenario with asyncio.wait_for: the reason the budget exists."""

    async def scenario() -> None:
        other = asyncio.ensure_future(busy_loop())
        await asyncio.sleep(0)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(answer_after(0.2, steps=4), 0.4)
        await other

    run_coroutine(scenario())


def test_a_hanging_call_times_out_once_the_loop_is_free_again():
    async def scenario() -> float:
        other = asyncio.ensure_future(busy_loop())  # busy for about a second
        start = time.monotonic()
        with pytest.raises(asyncio.TimeoutError):
            await within_budget(answer_after(30), budget=0.3, cap=5)
        await other
        return time.monotonic() - start

    assert 1.0 <= run_coroutine(scenario()) < 3.0  # the busy second, then 0.3 s of its own


def test_the_wall_clock_cap_still_ends_a_hanging_call_on_a_saturated_loop():
    async def saturated() -> None:
        while True:
            time.sleep(0.4)
            await asyncio.sleep(0)

    async def scenario() -> float:
        other = asyncio.ensure_future(saturated())
        start = time.monotonic()
        with pytest.raises(asyncio.TimeoutError):
            await within_budget(answer_after(30), budget=0.3, cap=1.0)
        other.cancel()
        return time.monotonic() - start

    assert 0.9 <= run_coroutine(scenario()) < 1.8


def test_errors_of_the_call_come_through_at_once():
    async def refused() -> str:
        raise ConnectionRefusedError("action server down")

    async def scenario() -> float:
        start = time.monotonic()
        with pytest.raises(ConnectionRefusedError):
            await within_budget(refused(), budget=1.5, cap=6)
        return time.monotonic() - start

    assert run_coroutine(scenario()) < 0.2
