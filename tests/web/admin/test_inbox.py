"""The inbox: grouped unanswered questions, dismissing, answering a group, and handoffs."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest

from bot.staff_db.faq import FaqRepository
from bot.staff_db.inbox import Inbox
from bot.web.admin.grouping import EXACT, SIMILAR, Grouper, exact_groups
from tests.web.admin.helpers import entry, field_value, form_data, hidden

T0 = dt.datetime(2024, 10, 1, 9, 0, tzinfo=dt.timezone.utc)


@pytest.fixture()
def questions(engine):
    """Three shuttle questions (two channels), two gym ones, one alone; ids in time order."""
    ticks = iter(range(100))
    inbox = Inbox(engine, salt="test", clock=lambda: T0 + dt.timedelta(minutes=next(ticks)))
    record = inbox.record_unanswered
    return {
        "shuttle": [
            record("Is there a shuttle from the airport?", "rest", "ask_transport", 0.41, "a"),
            record("airport shuttle??", "facebook", "ask_transport", 0.35, "b"),
        ],
        "gym": [record("is there a gym", "rest", None, None, "c")],
        "alone": [record("What is the wifi password", "rest", "out_of_scope", 0.2, "d")],
        "later": [
            record("Gym opening hours?", "rest", "ask_campus", 0.3, "e"),
            record("Shuttle bus timetable", "socketio", "ask_transport", 0.5, "f"),
        ],
    }


def test_groups_similar_questions_newest_first(client, questions, encoder):
    body = client.api("GET", "/inbox").json()
    assert body["grouping"] == SIMILAR
    shuttle, gym, alone = questions["shuttle"], questions["gym"], questions["alone"]
    later = questions["later"]
    assert [g["ids"] for g in body["groups"]] == [
        [later[1], *reversed(shuttle)],  # newest question of all: the timetable one
        [later[0], *gym],
        alone,
    ]
    top = body["groups"][0]
    assert top["count"] == 3
    assert top["channels"] == ["facebook", "rest", "socketio"]
    assert top["intent"] == "ask_transport" and top["confidence"] == pytest.approx(0.42, abs=1e-3)
    assert top["newest"] == (T0 + dt.timedelta(minutes=5)).isoformat()
    assert top["questions"][0]["text"] == "Shuttle bus timetable"
    assert encoder.calls >= 1

    page = client.get("/admin/inbox").text
    assert page.index("Shuttle bus timetable") < page.index("Gym opening hours?")
    assert page.index("Gym opening hours?") < page.index("What is the wifi password")
    assert "3 questions" in page and "facebook, rest, socketio" in page
    assert "ask_transport (42% sure)" in page


def test_dismiss_a_group_through_the_api_and_the_button(client, engine, questions):
    reply = client.api("POST", "/inbox/dismiss", {"ids": questions["gym"] + questions["later"][:1]})
    assert reply.json() == {"dismissed": 2}
    left = {q.id for q in Inbox(engine).list_open_unanswered()}
    assert left == set(questions["shuttle"] + questions["alone"] + questions["later"][1:])
    assert client.api("POST", "/inbox/dismiss", {"ids": []}).status_code == 422
    assert client.api("POST", "/inbox/dismiss", {"ids": "1,2"}).status_code == 422
    assert client.api("POST", "/inbox/dismiss", {"ids": ["x"]}).status_code == 422

    page = client.get("/admin/inbox").text
    token = hidden(page, "csrf_token")[0]
    data = {"csrf_token": token, "ids": questions["alone"]}
    reply = client.post("/admin/inbox/dismiss", data=data)
    assert reply.status_code == 302
    assert "Dismissed" in client.get(reply.headers["Location"]).text
    assert questions["alone"][0] not in {q.id for q in Inbox(engine).list_open_unanswered()}


def test_answer_a_group_publish_now_and_it_leaves_the_inbox(client, engine, questions):
    page = client.get("/admin/inbox").text
    link = re.search(r'href="(/admin/entries/new\?ids=[^"]+)"', page).group(1)
    form = client.get(link.replace("&amp;", "&"))
    assert form.status_code == 200
    group = [questions["later"][1], *reversed(questions["shuttle"])]
    assert [int(i) for i in hidden(form.text, "inbox_ids")] == group
    assert field_value(form.text, "question") == "Shuttle bus timetable"
    phrasings = field_value(form.text, "phrasings").splitlines()
    assert phrasings == ["airport shuttle??", "Is there a shuttle from the airport?"]
    assert "Students asked" in form.text

    data = form_data(
        entry(
            "Shuttle bus timetable",
            phrasings=["airport shuttle??", "Is there a shuttle from the airport?"],
        ),
        csrf_token=hidden(form.text, "csrf_token")[0],
        inbox_ids=hidden(form.text, "inbox_ids"),
        action="publish",
    )
    reply = client.post("/admin/entries/new", data=data)
    assert reply.status_code == 302
    entry_id = int(re.search(r"/admin/entries/(\d+)", reply.headers["Location"]).group(1))
    open_ids = {q.id for q in Inbox(engine).list_open_unanswered()}
    assert not open_ids & set(group)
    answered = [q for q in Inbox(engine).list_unanswered("answered")]
    assert {q.id for q in answered} == set(group)
    assert {q.faq_entry_id for q in answered} == {entry_id}
    assert {q.handled_by for q in answered} == {"staff.one"}
    assert all(g["ids"] != group for g in client.api("GET", "/inbox").json()["groups"])


def test_a_draft_answer_leaves_the_inbox_only_when_published(client, engine, questions):
    ids = questions["gym"] + questions["later"][:1]
    reply = client.api(
        "POST", "/entries", entry("Is there a gym?", phrasings=[], inbox_ids=[str(i) for i in ids])
    )
    assert reply.status_code == 201
    created = reply.json()
    assert set(ids) <= {q.id for q in Inbox(engine).list_open_unanswered()}
    page = client.get(f"/admin/entries/{created['id']}").text
    assert "written for 2 questions from the inbox" in page

    client.api("PUT", f"/entries/{created['id']}", {"answer": "Yes, in building B.", "version": 1})
    assert set(ids) <= {q.id for q in Inbox(engine).list_open_unanswered()}
    token = hidden(page, "csrf_token")[0]
    client.post(f"/admin/entries/{created['id']}/publish", data={"csrf_token": token, "version": 2})
    assert not set(ids) & {q.id for q in Inbox(engine).list_open_unanswered()}
    assert {q.faq_entry_id for q in Inbox(engine).list_unanswered("answered")} == {created["id"]}


def test_a_failed_save_keeps_the_group(client, engine, questions):
    form = client.get("/admin/entries/new", params={"ids": questions["gym"]})
    data = form_data(
        entry("is there a gym", answer="", phrasings=[]),
        csrf_token=hidden(form.text, "csrf_token")[0],
        inbox_ids=hidden(form.text, "inbox_ids"),
        action="publish",
    )
    reply = client.post("/admin/entries/new", data=data)
    assert reply.status_code == 422
    assert hidden(reply.text, "inbox_ids") == [str(i) for i in questions["gym"]]
    assert "is there a gym" in reply.text
    assert questions["gym"][0] in {q.id for q in Inbox(engine).list_open_unanswered()}
    assert FaqRepository(engine).list_entries() == []


def test_handoffs_are_listed_with_transcripts_and_closed(client, engine):
    inbox = Inbox(engine, salt="test")
    transcript = [{"who": "student", "text": "I need a <b>human</b>"}, {"who": "bot", "text": "OK"}]
    first = inbox.record_handoff("u1", "rest", transcript)
    second = inbox.record_handoff("u2", "facebook", [{"who": "student", "text": "help please"}])
    body = client.api("GET", "/inbox").json()
    assert [h["id"] for h in body["handoffs"]] == [second, first]
    assert body["handoffs"][1]["transcript"][0]["text"] == "I need a <b>human</b>"
    page = client.get("/admin/inbox").text
    assert "I need a &lt;b&gt;human&lt;/b&gt;" in page and "help please" in page

    closed = client.api("POST", f"/handoffs/{first}/close").json()
    assert closed["status"] == "closed" and closed["closed_by"] == "staff.one"
    assert client.api("POST", "/handoffs/999/close").status_code == 404
    token = hidden(page, "csrf_token")[0]
    reply = client.post(f"/admin/handoffs/{second}/close", data={"csrf_token": token})
    assert reply.status_code == 302
    assert Inbox(engine).list_handoffs("open") == []
    assert "No open requests." in client.get("/admin/inbox").text


def test_empty_inbox(client):
    assert client.api("GET", "/inbox").json()["groups"] == []
    assert "Nothing waiting" in client.get("/admin/inbox").text


# -- grouping without a server ---------------------------------------------------------------


def test_exact_grouping_ignores_case_spacing_and_final_punctuation():
    texts = ["Is there a gym?", "is  there a GYM", "wifi", "Is there a gym!", ""]
    assert exact_groups(texts) == [[0, 1, 3], [2], [4]]


def test_encoder_loads_lazily_once_and_is_shared(encoder):
    loads = []

    def load():
        loads.append(1)
        return encoder

    grouper = Grouper(load=load)
    assert loads == [], "nothing is loaded before the inbox is looked at"
    threads = [
        threading.Thread(target=grouper.group, args=(["shuttle?", "gym"],)) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    groups, how = grouper.group(["shuttle please", "gym", "the shuttle"])
    assert how == SIMILAR and groups == [[0, 2], [1]]
    assert loads == [1]


def test_without_the_encoder_questions_are_grouped_by_exact_text():
    def broken():
        raise ImportError("no MiniLM here")

    grouper = Grouper(load=broken)
    groups, how = grouper.group(["Gym?", "gym", "shuttle"])
    assert how == EXACT and groups == [[0, 1], [2]]


def test_a_slow_encoder_does_not_hold_the_inbox_up(encoder):
    release = threading.Event()

    def slow():
        release.wait(10)
        return encoder

    grouper = Grouper(load=slow)
    groups, how = grouper.group(["Gym?", "gym", "gym hours"], wait=0.05)
    assert how == EXACT and groups == [[0, 1], [2]]
    release.set()
    assert grouper.group(["Gym?", "gym", "gym hours"], wait=10) == ([[0, 1, 2]], SIMILAR)


def test_group_questions_uses_the_process_encoder(monkeypatch, encoder):
    from bot.web.admin import grouping

    monkeypatch.setattr(grouping, "_process_grouper", Grouper(load=lambda: encoder))
    assert grouping.group_questions(["shuttle", "dorm", "Shuttle bus"]) == [[0, 2], [1]]
