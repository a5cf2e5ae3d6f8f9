"""Answers students marked wrong (👎) are their own kind in the inbox: their own section, with
the students' comments, apart from the unanswered questions, and answered or dismissed alike."""

from __future__ import annotations

import datetime as dt

from bot.staff_db.feedback import FeedbackRepository
from bot.staff_db.inbox import Inbox

T0 = dt.datetime(2024, 10, 1, 9, 0, tzinfo=dt.timezone.utc)
SENDER = "psid-5550001112-secret"


def test_a_thumbs_down_is_shown_as_marked_wrong_with_its_comment(client, engine):
    inbox = Inbox(engine, salt="test", clock=lambda: T0)
    unanswered = inbox.record_unanswered("Is there a gym?", "rest", None, None, "a")
    feedback = FeedbackRepository(inbox)
    for key, who in (("k1", SENDER), ("k2", "another-student")):
        feedback.record(
            "down",
            who,
            record_key=key,
            question="Who coordinates PROMIG?",
            facts=["projects[promig]"],
            topic="project_coordinator",
            intent="ask_project_coordinator",
            language="en",
            channel="socketio",
        )
    feedback.add_comment("k1", SENDER, "The coordinator <b>changed</b> in 2024")

    body = client.api("GET", "/inbox").json()
    assert [q["text"] for g in body["groups"] for q in g["questions"]] == ["Is there a gym?"]
    [wrong] = body["wrong"]
    assert wrong["count"] == 2 and wrong["intent"] == "ask_project_coordinator"
    assert {q["kind"] for q in wrong["questions"]} == {"wrong"}
    assert "The coordinator <b>changed</b> in 2024" in [q["comment"] for q in wrong["questions"]]

    page = client.get("/admin/inbox").text
    section = page[page.index('id="wrong"') : page.index('id="handoffs"')]
    assert "Who coordinates PROMIG?" in section and "marked wrong 2 times" in section
    assert "The coordinator &lt;b&gt;changed&lt;/b&gt; in 2024" in section, "escaped"
    assert "Is there a gym?" not in section
    assert "Marked wrong (2)" in page
    assert SENDER not in page and SENDER not in str(body)

    # "Write a better answer" opens the FAQ editor with the question, like an unanswered one
    new_entry = client.get(f"/admin/entries/new?ids={wrong['ids'][0]}").text
    assert "Who coordinates PROMIG?" in new_entry
    reply = client.api("POST", "/inbox/dismiss", {"ids": wrong["ids"]})
    assert reply.json() == {"dismissed": 2}
    assert [q.id for q in Inbox(engine).list_open_unanswered()] == [unanswered]
