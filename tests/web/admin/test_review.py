"""Conversation review, served for real on SQLite and PostgreSQL, read from conversations a real
Rasa SQLTrackerStore stored: only conversations that fell back, got a 👎 or a handoff are listed,
newest first and paged, with no sender id anywhere in the page; a student's question opens the
FAQ editor pre-filled, an answer that named its facts links the fact editor; staff delete a
conversation by its reference, and a wrong reference deletes nothing."""

from __future__ import annotations

import html
import re
import time

import pytest

from bot.privacy import conversations
from bot.privacy.reference import deletion_reference
from bot.staff_db.inbox import Inbox
from tests.privacy import conversations as conv
from tests.web.admin.helpers import field_value

FALLBACK = ("Is there a dormitory for girls?", "nlu_fallback", "action_honest_fallback", "Sorry.")
ANSWERED = ("Which Erasmus partners?", "ask_erasmus", "action_erasmus", "Graz, Tartu.")
FACTS = {"analytics": {"parts": [{"facts": ["exchange_programmes[erasmus_ka1]"]}]}}
DOWN = ('/feedback{"value": "down"}', "feedback", "action_feedback", "Thanks.")
UP = ('/feedback{"value": "up"}', "feedback", "action_feedback", "Thanks.")
HUMAN = ("Can I talk to a person & get help?", "request_human", "action_handoff", "Passed on.")
PARTS = {"analytics": {"parts": [{"outcome": "answered_fact"}, {"outcome": "fallback"}]}}
TWO_PARTS = ("Erasmus partners? and the dorm fee?", "ask_erasmus", "action_erasmus", "A; ?", PARTS)
FINE = ("Who coordinates PROMIG?", "ask_project_coordinator", "action_project_coordinator", "X.")

SENDERS = {  # sender id -> turns; the ids are what must never reach the page
    "psid-fallback-q7x1k9": [FINE, FALLBACK],
    "psid-thumbsdown-w2m8v4": [(*ANSWERED, FACTS), DOWN],
    "psid-handoff-z5n3t6": [HUMAN],
    "psid-fine-j4r6p2": [FINE],
    "psid-thumbsup-c9b2h7": [(*ANSWERED, FACTS), UP],
    "psid-parts-d8k2s5": [TWO_PARTS],  # one part of the message fell back (analytics)
}
LISTED_NEWEST_FIRST = [
    "psid-parts-d8k2s5",
    "psid-handoff-z5n3t6",
    "psid-thumbsdown-w2m8v4",
    "psid-fallback-q7x1k9",
]


@pytest.fixture(scope="module")
def domain():
    return conv.domain()


@pytest.fixture()
def stored(engine, domain):
    store = conv.tracker_store(engine, domain)
    start = time.time() - 86400
    order = [
        "psid-fine-j4r6p2",
        "psid-fallback-q7x1k9",
        "psid-thumbsup-c9b2h7",
        "psid-thumbsdown-w2m8v4",
    ]
    for index, sender in enumerate([*order, "psid-handoff-z5n3t6", "psid-parts-d8k2s5"]):
        conv.save(store, domain, sender, SENDERS[sender], start=start + index * 600)
    yield Inbox(engine).salt()
    store.engine.dispose()
    conv.drop_events(engine)


@pytest.fixture()
def live(make_live, engine, stored):
    return make_live(tracker_url=engine.url.render_as_string(hide_password=False))


def references(key: str, senders) -> list[str]:
    return [deletion_reference(key, s) for s in senders]


def test_flagged_conversations_listed_paged_without_sender_ids_with_faq_and_fact_links(
    client, stored, monkeypatch
):
    page = client.get("/admin/review")
    assert page.status_code == 200
    text = page.text
    for sender in SENDERS:
        assert sender not in text, "a sender id reached the page"
        assert sender.rsplit("-", 1)[1] not in text, "nor a part of one"
    shown = re.findall(r"Conversation ([A-Z2-7]{5}-[A-Z2-7]{5})</h3>", text)
    assert shown == references(stored, LISTED_NEWEST_FIRST)
    assert "Conversations to review (4)" in text
    assert html.escape(FALLBACK[0]) in text and html.escape(HUMAN[0]) in text
    assert "👎 answer marked wrong" in text and "fell back" in text and "handoff" in text

    # a student's question opens the FAQ editor pre-filled; an answer that named its facts
    # links the fact editor (only that one, once)
    links = [html.unescape(h) for h in re.findall(r'href="(/admin/entries/new\?[^"]+)"', text)]
    wanted = "/admin/entries/new?question=Can+I+talk+to+a+person+%26+get+help%3F"
    assert wanted in links
    form = client.get(wanted)
    assert form.status_code == 200
    assert field_value(form.text, "question") == HUMAN[0]
    facts = re.findall(r'href="(/admin/knowledge/fact\?[^"]+)"', text)
    assert [html.unescape(f) for f in facts] == [
        "/admin/knowledge/fact?path=exchange_programmes%5Berasmus_ka1%5D"
    ]

    monkeypatch.setattr(conversations, "PAGE_SIZE", 2)  # paged, newest first
    first, second = client.get("/admin/review").text, client.get("/admin/review?page=2").text
    pattern = r"Conversation ([A-Z2-7]{5}-[A-Z2-7]{5})</h3>"
    assert re.findall(pattern, first) == references(stored, LISTED_NEWEST_FIRST[:2])
    assert re.findall(pattern, second) == references(stored, LISTED_NEWEST_FIRST[2:])
    assert "Page 2 of 2" in second and 'rel="prev"' in second


def test_staff_delete_by_reference_and_a_wrong_one_deletes_nothing(
    client, anonymous, engine, stored
):
    reply = anonymous.get("/admin/review")
    assert reply.status_code == 302 and "/admin/login" in reply.headers["Location"]
    assert anonymous.post("/admin/review/delete", data={"reference": "x"}).status_code == 302
    forged = client.form("/admin/review/delete", {"reference": "ABCDE-FGH23"}, csrf=False)
    assert forged.status_code == 403

    before = conv.event_count(engine)
    wrong = client.form("/admin/review/delete", {"reference": "zzzzz-zzzzz"})
    assert wrong.status_code == 422
    assert "No conversation has the reference ZZZZZ-ZZZZZ" in html.unescape(wrong.text)
    assert 'value="zzzzz-zzzzz"' in wrong.text, "what staff typed is kept"
    assert conv.event_count(engine) == before

    reference = deletion_reference(stored, "psid-handoff-z5n3t6")
    done = client.form("/admin/review/delete", {"reference": reference.lower()})
    assert done.status_code == 302
    page = client.get(done.headers["Location"]).text
    assert f"Deleted conversation {reference}." in page
    assert reference not in re.findall(r"Conversation ([A-Z2-7-]{11})</h3>", page)
    assert conv.event_count(engine, "psid-handoff-z5n3t6") == 0
    assert conv.event_count(engine) < before
