"""👍/👎 in the chat widget (real Chromium, real page, real bot): shown as quick replies after
the answer's own, and a tap on 👎 asks what was wrong with a Skip reply that works."""

from __future__ import annotations

import pytest

from tests.web.widget import Widget, open_site

pytestmark = pytest.mark.e2e


@pytest.fixture()
def page(chromium, servers):
    context = chromium.new_context(viewport={"width": 375, "height": 740})
    yield open_site(context, servers)
    context.close()


def test_thumbs_are_quick_replies_after_the_answers_own_and_down_asks_what_was_wrong(page):
    widget = Widget(page)
    greeting = widget.open()
    assert "👍" not in greeting.replies, "not on the greeting"
    answer = widget.ask("tell me about CRENG")
    assert answer.replies[-2:] == ["👍", "👎"] and len(answer.replies) > 2, answer.replies
    assert "Was this helpful?" in answer.text
    asked = widget.click_reply("👎")
    assert "What was wrong?" in asked.text and asked.replies == ["Skip"]
    skipped = widget.click_reply("Skip")
    assert "No problem" in skipped.text
    assert not page.errors
