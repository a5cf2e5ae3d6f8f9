"""Staff answers reach students without retraining: publish an FAQ entry, ask over REST, get it
within 5 seconds. And what the bot could not answer lands in the staff inbox, without the
student's id."""

from __future__ import annotations

import time
import uuid

import pytest

from bot.staff_db.db import make_engine
from bot.staff_db.faq import FaqRepository
from bot.staff_db.inbox import Inbox
from bot.staff_db.validation import FaqDraft
from tests.e2e.scoring import flatten

pytestmark = pytest.mark.e2e
QUESTION = "Is there a shuttle bus from the airport to the campus?"


@pytest.fixture()
def store(servers):
    engine = make_engine(servers.database_url)
    yield FaqRepository(engine), Inbox(engine)
    engine.dispose()


def test_a_published_entry_is_answered_within_5_seconds_and_unpublishing_withdraws_it(
    servers, store, conversation
):
    repository, _ = store
    marker = f"shuttle-{uuid.uuid4().hex[:8]}"
    before = flatten(conversation(QUESTION))
    assert marker not in before
    assert "don't" in before or "can't" in before, "unknown before staff answer it"

    entry = repository.create(
        FaqDraft(
            question="Is there an airport shuttle to the campus?",
            phrasings=["How do I get from the airport to the university?"],
            answer=f"Yes: the office arranges a pickup ({marker}).",
            owner="tests",
        ),
        who="tests",
    )
    entry = repository.publish(entry.id, who="tests", expected_version=entry.version)
    published = time.monotonic()
    while marker not in flatten(conversation(QUESTION)):
        assert time.monotonic() - published < 5, "not answered within 5 s of publishing"
        time.sleep(0.25)

    repository.unpublish(entry.id, who="tests", expected_version=entry.version)
    withdrawn = time.monotonic()
    while marker in flatten(conversation(QUESTION)):
        assert time.monotonic() - withdrawn < 5, "still answered 5 s after unpublishing"
        time.sleep(0.25)


def test_an_unanswered_question_reaches_the_inbox_without_the_sender_id(servers, store):
    from tests.servers import ask

    _, inbox = store
    sender = f"student-{uuid.uuid4().hex}"
    question = f"Can I bring my cat {uuid.uuid4().hex[:6]} to the dormitory?"
    ask(servers.webhook, sender, question)
    rows = [row for row in inbox.list_open_unanswered() if row.text == question]
    assert len(rows) == 1
    row = rows[0]
    assert row.channel == "rest" and row.guessed_intent
    assert sender not in row.sender_hash and row.sender_hash == inbox.hash_sender(sender)


def test_staff_previews_are_not_logged_as_unanswered(servers, store):
    from tests.servers import ask

    _, inbox = store
    question = f"Preview question {uuid.uuid4().hex[:6]} about parking permits?"
    ask(servers.webhook, f"staff-preview-{uuid.uuid4().hex}", question)
    assert not [row for row in inbox.list_open_unanswered() if row.text == question]
