"""Students' 👍/👎: stored with the question and what the answer rested on, never a sender id;
a 👎 opens an inbox question of kind 'wrong'; a retried write (the same record key, directly or
through the outbox) is stored once; counts per topic and per FAQ entry."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.staff_db import tables as t
from bot.staff_db.feedback import FeedbackRepository
from bot.staff_db.inbox import Inbox
from bot.staff_db.outbox import StaffOutbox

SENDER = "psid-9876543210-secret"


@pytest.fixture()
def repository(engine, monkeypatch) -> FeedbackRepository:
    monkeypatch.delenv("INBOX_SALT", raising=False)
    return FeedbackRepository(Inbox(engine))


def rows(engine, table) -> list:
    with engine.connect() as connection:
        return [dict(r._mapping) for r in connection.execute(select(table))]


def down(repository: FeedbackRepository, key: str = "k-down", **fields) -> int:
    values = {
        "question": "Who coordinates PROMIG?",
        "facts": ["projects[promig]", "organisations[graz]"],
        "topic": "project_coordinator",
        "intent": "ask_project_coordinator",
        "language": "en",
        "channel": "rest",
    }
    values.update(fields)
    return repository.record("down", SENDER, record_key=key, **values)


def test_a_thumbs_down_is_stored_without_the_sender_id_and_reaches_the_inbox_as_wrong(
    repository, engine
):
    feedback_id = down(repository)
    repository.add_comment("k-down", SENDER, "The coordinator changed last year.")

    [stored] = repository.list()
    assert stored.id == feedback_id and stored.value == "down"
    assert stored.question == "Who coordinates PROMIG?"
    assert stored.answer_ref == {
        "facts": ["projects[promig]", "organisations[graz]"],
        "faq_entries": [],
    }
    assert (stored.topic, stored.intent, stored.language, stored.channel) == (
        "project_coordinator",
        "ask_project_coordinator",
        "en",
        "rest",
    )
    assert stored.comment == "The coordinator changed last year."
    assert stored.conversation_hash == repository.inbox.hash_sender(SENDER) != SENDER

    [wrong] = repository.inbox.list_open_unanswered()
    assert (wrong.kind, wrong.text, wrong.comment) == (
        "wrong",
        "Who coordinates PROMIG?",
        "The coordinator changed last year.",
    )
    assert wrong.sender_hash == stored.conversation_hash
    for table in (t.feedback, t.unanswered):
        dumped = json.dumps(rows(engine, table), default=str)
        assert SENDER not in dumped and "9876543210" not in dumped, table.name


def test_a_thumbs_up_is_counted_and_does_not_reach_the_inbox(repository):
    repository.record("up", SENDER, record_key="k-up", question="Q?", faq_entries=[7], topic="faq")
    assert repository.inbox.list_unanswered() == []
    assert repository.list("up")[0].answer_ref == {"facts": [], "faq_entries": [7]}


def test_the_same_record_key_is_stored_once(repository, engine):
    first = down(repository)
    again = down(repository)
    assert first == again
    assert len(rows(engine, t.feedback)) == 1
    assert len(rows(engine, t.unanswered)) == 1


def test_a_comment_only_for_the_students_own_thumbs_down(repository):
    down(repository)
    repository.record("up", SENDER, record_key="k-up", question="Q?")
    assert not repository.add_comment("k-down", "someone-else", "spam")
    assert not repository.add_comment("k-up", SENDER, "a comment on a thumbs up")
    assert not repository.add_comment("missing", SENDER, "nothing to add it to")
    assert repository.list("down")[0].comment is None


def test_counts_per_topic_and_per_faq_entry(repository):
    repository.record("up", SENDER, record_key="1", question="a", topic="faq", faq_entries=[3])
    repository.record("down", SENDER, record_key="2", question="b", topic="faq", faq_entries=[3])
    repository.record("up", "other", record_key="3", question="c", topic="faq", faq_entries=[4])
    repository.record("up", "other", record_key="4", question="d", topic="partners")

    topics = repository.counts_per_topic()
    assert (topics["faq"].up, topics["faq"].down) == (2, 1)
    assert (topics["partners"].up, topics["partners"].down) == (1, 0)
    entries = repository.counts_per_faq_entry()
    assert {k: (v.up, v.down) for k, v in entries.items()} == {3: (1, 1), 4: (1, 0)}


def test_forgetting_a_conversation_deletes_only_its_feedback(repository):
    down(repository)
    repository.record("up", "someone-else", record_key="other", question="Q?")
    conversation = repository.inbox.hash_sender(SENDER)
    assert repository.forget_conversation(conversation) == 1
    assert [f.record_key for f in repository.list()] == ["other"]
    assert repository.forget_conversation(conversation) == 0


def test_an_unknown_value_is_refused(repository):
    with pytest.raises(ValueError):
        repository.record("meh", SENDER, record_key="x", question="q")


def test_a_feedback_write_put_twice_through_the_outbox_is_stored_once(engine, tmp_path):
    inbox = Inbox(engine, salt="test-salt")
    outbox = StaffOutbox(lambda: inbox, tmp_path / "outbox.jsonl", first_retry=0.1)
    data = {
        "value": "down",
        "sender": SENDER,
        "question": "How many partner universities?",
        "facts": ["exchange_programmes[erasmus_ka1].partner_claims[0]"],
        "topic": "erasmus",
        "intent": "ask_erasmus",
        "language": "ru",
        "channel": "socketio",
    }
    try:
        outbox.put("feedback", data, key="message-1")
        outbox.put("feedback", data, key="message-1")  # Rasa ran the action again
        outbox.put("feedback_comment", {"feedback_key": "message-1", "sender": SENDER, "text": "!"})
        assert outbox.drain(10)
    finally:
        outbox.stop()
    [stored] = FeedbackRepository(inbox).list()
    assert (stored.record_key, stored.language, stored.comment) == ("message-1", "ru", "!")
    assert [q.kind for q in inbox.list_unanswered()] == ["wrong"]
