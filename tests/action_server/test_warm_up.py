"""The staff FAQ loads in the background (its encoder takes ~13 s), so a started or restarted
action server answers from the knowledge base at once: a question that needs the FAQ meanwhile
hears "try again in a minute", never "not covered", and stays out of the inbox; `/ready` says
when the FAQ is loaded (what a first start waits for; /health answers before)."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import pytest
from sanic import Sanic

from actions import base
from actions.office import ActionAdmissions, ActionNotCovered
from bot.action_server.app import create_app
from bot.faq import service
from bot.understanding import facts
from tests.helpers import create_tracker, run_action, said
from tests.web.admin.live import LiveApp

FAQ_QUESTION = "where do i send my documents"  # answered by a seed entry of knowledge/faq.yml


def ready_status(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"{url}/ready", timeout=5) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def loading(monkeypatch):
    """A warm-up held until the test releases it."""
    release = threading.Event()
    monkeypatch.setattr(service, "warm_up", lambda: release.wait(30))
    thread = service.warm_up_in_background()
    yield release
    release.set()
    thread.join(10)


def test_while_the_faq_loads_the_knowledge_base_answers_and_faq_questions_hear_try_again(
    loading, monkeypatch
):
    recorded: list[str] = []

    async def record(tracker) -> None:
        recorded.append(tracker.latest_message.get("text"))

    monkeypatch.setattr(base, "record_question", record)
    assert service.faq_warming() and not service.faq_ready()
    admissions = said(
        run_action(ActionAdmissions(), create_tracker("admissions", "ask_admissions"))[0]
    )
    assert "international relations and project management department" in admissions
    waiting = said(run_action(ActionNotCovered(), create_tracker(FAQ_QUESTION))[0])
    assert "can't look that up right now" in waiting
    assert "i don't have information" not in waiting and "source:" not in waiting
    assert recorded == [], "a question the FAQ may answer is not an unanswered one"

    loading.set()
    assert service._warm_done.wait(10) and service.faq_ready()
    answered = said(run_action(ActionNotCovered(), create_tracker(FAQ_QUESTION))[0])
    assert "source: international office faq" in answered


def test_ready_says_loading_until_the_faq_is_loaded_and_needs_no_token(loading, monkeypatch):
    monkeypatch.setattr(Sanic, "test_mode", True)  # several apps in one process
    app = create_app("actions", token="t" * 32)
    app.config.MOTD = False
    live = LiveApp(app)
    live.start()
    try:
        facts.fact_index()  # the fact retrieval loaded; the FAQ still loading
        assert ready_status(live.url) == (503, {"faq": "loading", "facts": "loaded"})
        loading.set()
        assert service._warm_done.wait(10)
        assert ready_status(live.url) == (200, {"faq": "loaded", "facts": "loaded"})
    finally:
        live.stop()
