"""FAQ entries through the API and the screens: validation, conflicts, publishing, history."""

from __future__ import annotations

import html
import re

import pytest

from bot.staff_db.faq import FaqRepository
from tests.web.admin.helpers import entry, field_error, field_value, form_data, hidden


def create(client, **fields) -> dict:
    reply = client.api("POST", "/entries", entry(**fields))
    assert reply.status_code == 201, reply.text
    return reply.json()


def test_create_get_list_search_and_filter(client):
    first = create(client)
    assert (first["version"], first["state"], first["updated_by"]) == (1, "draft", "staff.one")
    assert first["phrasings"] == ["airport shuttle", "how do I get from the airport to campus"]
    second = create(client, question="Is there a gym?", phrasings=[], state="published")
    assert second["state"] == "published"

    assert client.api("GET", f"/entries/{first['id']}").json() == first
    everything = client.api("GET", "/entries").json()["entries"]
    assert [e["id"] for e in everything] == [first["id"], second["id"]]
    found = client.api("GET", "/entries?q=SHUTTLE airport").json()["entries"]
    assert [e["id"] for e in found] == [first["id"]]
    published = client.api("GET", "/entries?state=published").json()["entries"]
    assert [e["id"] for e in published] == [second["id"]]
    assert client.api("GET", "/entries?state=nonsense").status_code == 422
    assert client.api("GET", "/entries/999").status_code == 404

    page = client.get("/admin/entries", params={"q": "gym", "state": "published"})
    assert "Is there a gym?" in page.text and "shuttle" not in page.text
    assert '<option value="published" selected>' in page.text
    assert "Is there a shuttle" in client.get("/admin/entries").text


VALIDATION_CASES = [
    ({"answer": ""}, "answer", "the answer is empty"),
    ({"answer": "   "}, "answer", "the answer is empty"),
    ({"question": ""}, "question", "the question is empty"),
    ({"answer": "x" * 1001}, "answer", "the limit is 1000"),
    ({"answer": "See [here](beu.edu.az/transport)."}, "answer", "broken link"),
    ({"answer": "See [here](javascript:alert(1))."}, "answer", "links are not allowed"),
    ({"answer": "See [here](https://)."}, "answer", "broken link"),
    ({"source_url": "ftp://beu.edu.az/x"}, "source_url", "broken link"),
    ({"owner": ""}, "owner", "who owns"),
    ({"phrasings": ["same", "Same?"]}, "phrasings", "listed twice"),
    ({"phrasings": ["Is there a shuttle from the airport"]}, "phrasings", "repeats the question"),
    ({"tags": ["a", "A"]}, "tags", "listed twice"),
    ({"as_of": "1st of May"}, "as_of", "YYYY-MM-DD"),
    ({"review_by": "2020-01-01"}, "review_by", "before as-of"),
    ({"fact_ref": "no.such.fact"}, "fact_ref", "not a fact id"),
    ({"question": "q" * 301}, "question", "over 300"),
    ({"colour": "blue"}, "colour", "unknown field"),
    ({"phrasings": "not a list"}, "phrasings", "list of texts"),
    ({"state": "live"}, "state", "unknown state"),
]


@pytest.mark.parametrize("change, field, message", VALIDATION_CASES)
def test_api_validation_errors_are_422_with_the_field(client, engine, change, field, message):
    reply = client.api("POST", "/entries", entry(**change))
    assert reply.status_code == 422, reply.text
    errors = reply.json()["errors"]
    assert message in errors[field], errors
    assert FaqRepository(engine).list_entries() == []


def test_duplicate_question_or_phrasing_is_422(client, engine):
    create(client)
    reply = client.api("POST", "/entries", entry("is there a SHUTTLE from the airport"))
    assert reply.status_code == 422
    assert "duplicate question" in reply.json()["errors"]["question"]
    reply = client.api("POST", "/entries", entry("Bus to campus?", phrasings=["Airport shuttle"]))
    assert "duplicates the entry" in reply.json()["errors"]["phrasings"]
    assert len(FaqRepository(engine).list_entries()) == 1


def test_several_problems_are_reported_together(client):
    reply = client.api("POST", "/entries", entry(question="", answer="", owner=""))
    assert set(reply.json()["errors"]) == {"question", "answer", "owner"}


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2]", b'"text"'],
)
def test_a_body_that_is_not_a_json_object_is_422(client, body):
    reply = client.http.post(
        client.url("/admin/api/entries"),
        data=body,
        headers={"X-CSRF-Token": client.csrf, "Content-Type": "application/json"},
        timeout=30,
    )
    assert reply.status_code == 422 and "body" in reply.json()["errors"]


def test_form_shows_each_error_next_to_its_field_and_keeps_the_text(client, engine):
    page = client.get("/admin/entries/new")
    token = hidden(page.text, "csrf_token")[0]
    typed = entry(
        question="Shuttle <b>bus</b>?",
        answer="x" * 1001,
        source_url="beu.edu.az",
        phrasings=["one", "ONE"],
    )
    reply = client.post(
        "/admin/entries/new", data=form_data(typed, csrf_token=token, action="publish")
    )
    assert reply.status_code == 422
    assert "limit is 1000" in field_error(reply.text, "answer")
    assert "relative link" in field_error(reply.text, "source_url")
    assert "listed twice" in field_error(reply.text, "phrasings")
    assert field_error(reply.text, "question") is None
    described = 'aria-describedby="hint-answer answer-count err-answer" aria-invalid="true"'
    assert f'id="f-answer" name="answer" rows="8" {described}' in reply.text
    assert "Nothing was saved" in reply.text and 'href="#f-answer"' in reply.text
    # what they typed is all still there, escaped
    assert field_value(reply.text, "answer") == "x" * 1001
    assert field_value(reply.text, "question") == "Shuttle <b>bus</b>?"
    assert "Shuttle &lt;b&gt;bus&lt;/b&gt;?" in reply.text
    assert field_value(reply.text, "phrasings") == "one\nONE"
    assert FaqRepository(engine).list_entries() == []


def test_form_creates_a_draft_or_publishes(client, engine):
    token = hidden(client.get("/admin/entries/new").text, "csrf_token")[0]
    draft = client.post(
        "/admin/entries/new", data=form_data(entry(), csrf_token=token, action="draft")
    )
    assert draft.status_code == 302
    entry_id = int(re.search(r"/admin/entries/(\d+)", draft.headers["Location"]).group(1))
    saved = FaqRepository(engine).get(entry_id)
    assert saved.state == "draft" and saved.phrasings == (
        "airport shuttle",
        "how do I get from the airport to campus",
    )
    assert saved.tags == ("transport",) and saved.updated_by == "staff.one"
    page = client.get(draft.headers["Location"])
    assert "Saved as a draft" in page.text and ">Publish</button>" in page.text

    live = client.post(
        "/admin/entries/new",
        data=form_data(entry("Is there a gym?", phrasings=[]), csrf_token=token, action="publish"),
    )
    gym = int(re.search(r"/admin/entries/(\d+)", live.headers["Location"]).group(1))
    assert FaqRepository(engine).get(gym).state == "published"
    assert "the assistant answers with this entry" in client.get(live.headers["Location"]).text


def test_edit_form_saves_and_empty_dates_are_filled(client, engine):
    created = create(client)
    page = client.get(f"/admin/entries/{created['id']}")
    assert field_value(page.text, "question") == created["question"]
    assert set(hidden(page.text, "version")) == {"1"}
    data = form_data(
        entry(answer="New **answer**.", as_of="", review_by=""),
        csrf_token=hidden(page.text, "csrf_token")[0],
        version="1",
        action="save",
    )
    reply = client.post(f"/admin/entries/{created['id']}", data=data)
    assert reply.status_code == 302 and reply.headers["Location"].endswith("?done=saved")
    saved = FaqRepository(engine).get(created["id"])
    assert saved.version == 2 and saved.answer == "New **answer**." and saved.state == "draft"
    assert (saved.review_by - saved.as_of).days == 365
    assert "<strong>answer</strong>" in client.get(f"/admin/entries/{created['id']}").text


def test_api_put_needs_the_version_and_may_send_only_changes(client, engine):
    created = create(client)
    path = f"/entries/{created['id']}"
    assert client.api("PUT", path, {"answer": "Changed."}).json()["errors"] == {
        "version": "required: the version this change is based on"
    }
    reply = client.api("PUT", path, {"answer": "Changed.", "version": 1})
    assert reply.status_code == 200
    assert reply.json()["answer"] == "Changed." and reply.json()["version"] == 2
    assert reply.json()["phrasings"] == created["phrasings"], "fields left out are kept"
    # sending back what GET returned, edited, works too
    current = client.api("GET", path).json()
    current["tags"] = ["transport", "airport"]
    assert client.api("PUT", path, current).json()["version"] == 3
    bad = client.api("PUT", path, {"answer": "", "version": 3})
    assert bad.status_code == 422 and bad.json()["errors"]["answer"] == "the answer is empty"
    assert client.api("PUT", "/entries/999", {"answer": "x", "version": 1}).status_code == 404


def test_api_stale_version_is_409_with_both_versions_and_nothing_written(client, engine):
    created = create(client)
    path = f"/entries/{created['id']}"
    client.api("PUT", path, {"answer": "Their answer.", "version": 1})
    before = FaqRepository(engine).get(created["id"])
    reply = client.api("PUT", path, {"answer": "My answer.", "version": 1})
    assert reply.status_code == 409
    body = reply.json()
    assert body["error"] == "conflict"
    assert body["current"]["answer"] == "Their answer." and body["current"]["version"] == 2
    assert body["attempted"]["answer"] == "My answer."
    assert body["attempted"]["question"] == created["question"]
    assert FaqRepository(engine).get(created["id"]) == before
    assert len(FaqRepository(engine).history(created["id"])) == 2


def test_form_conflict_shows_both_versions_and_keeps_the_users_text(client, engine, users):
    created = create(client)
    page = client.get(f"/admin/entries/{created['id']}")
    token = hidden(page.text, "csrf_token")[0]
    # someone else saves first
    repo = FaqRepository(engine)
    theirs = repo.get(created["id"]).draft()
    theirs.answer = "Their answer, saved first."
    repo.update(created["id"], theirs, 1, "colleague")

    mine = entry(answer="My answer, typed <carefully>.")
    reply = client.post(
        f"/admin/entries/{created['id']}",
        data=form_data(mine, csrf_token=token, version="1", action="save"),
    )
    assert reply.status_code == 409
    text = reply.text
    assert "Someone else saved this answer while you were editing" in text
    assert "colleague saved" in text and "version 2" in text
    conflict = text[text.index('class="side-by-side"') : text.index("</table>")]
    assert "Their answer, saved first." in conflict
    assert "My answer, typed &lt;carefully&gt;." in conflict
    assert field_value(text, "answer") == "My answer, typed <carefully>."
    assert hidden(text, "version")[-1] == "2", "saving again now deliberately replaces v2"
    assert repo.get(created["id"]).answer == "Their answer, saved first."

    again = client.post(
        f"/admin/entries/{created['id']}",
        data=form_data(mine, csrf_token=token, version="2", action="save"),
    )
    assert again.status_code == 302
    assert repo.get(created["id"]).answer == "My answer, typed <carefully>."


def test_publish_and_unpublish_through_the_api(client, engine):
    created = create(client)
    path = f"/entries/{created['id']}"
    published = client.api("POST", path + "/publish", {"version": 1})
    assert published.status_code == 200 and published.json()["state"] == "published"
    assert [e.id for e in FaqRepository(engine).published_entries()] == [created["id"]]
    stale = client.api("POST", path + "/unpublish", {"version": 1})
    assert stale.status_code == 409 and stale.json()["current"]["version"] == 2
    assert FaqRepository(engine).get(created["id"]).state == "published"
    reply = client.api("POST", path + "/unpublish", {"version": 2})
    assert reply.json()["state"] == "draft" and reply.json()["version"] == 3
    assert client.api("POST", path + "/publish").json()["state"] == "published"
    assert client.api("POST", "/entries/999/publish").status_code == 404
    assert FaqRepository(engine).published_entries()[0].id == created["id"]


def test_publish_and_unpublish_buttons(client, engine):
    created = create(client)
    url = f"/admin/entries/{created['id']}"
    page = client.get(url)
    token = hidden(page.text, "csrf_token")[0]
    reply = client.post(url + "/publish", data={"csrf_token": token, "version": "1"})
    assert reply.status_code == 302 and reply.headers["Location"].endswith("done=published")
    page = client.get(url)
    assert ">Unpublish</button>" in page.text and "state-published" in page.text
    stale = client.post(url + "/unpublish", data={"csrf_token": token, "version": "1"})
    assert stale.status_code == 409 and "Nothing was unpublished" in stale.text
    reply = client.post(url + "/unpublish", data={"csrf_token": token, "version": "2"})
    assert reply.status_code == 302
    assert FaqRepository(engine).get(created["id"]).state == "draft"


def test_history_and_rollback_through_the_api(client, engine):
    created = create(client)
    path = f"/entries/{created['id']}"
    client.api("PUT", path, {"answer": "Second answer.", "version": 1})
    client.api("POST", path + "/publish", {"version": 2})
    history = client.api("GET", path + "/history").json()["history"]
    assert [(h["version"], h["action"], h["who"]) for h in history] == [
        (1, "create", "staff.one"),
        (2, "edit", "staff.one"),
        (3, "publish", "staff.one"),
    ]
    assert history[0]["snapshot"]["answer"] == created["answer"]

    missing = client.api("POST", path + "/rollback", {"to_version": 1})
    assert missing.status_code == 422 and "version" in missing.json()["errors"]
    stale = client.api("POST", path + "/rollback", {"to_version": 1, "version": 2})
    assert stale.status_code == 409
    unknown = client.api("POST", path + "/rollback", {"to_version": 9, "version": 3})
    assert unknown.status_code == 404
    back = client.api("POST", path + "/rollback", {"to_version": 1, "version": 3}).json()
    assert back["version"] == 4 and back["answer"] == created["answer"]
    assert back["state"] == "draft", "a rollback restores the state too"
    assert [h["action"] for h in client.api("GET", path + "/history").json()["history"]][-1] == (
        "rollback"
    )


def test_history_page_shows_who_what_and_rolls_back(client, engine):
    created = create(client)
    path = f"/entries/{created['id']}"
    client.api("PUT", f"/entries/{created['id']}", {"answer": "Second answer.", "version": 1})
    page = client.get(f"/admin{path}/history")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Version 2: edit" in text and "Version 1: create" in text
    assert "Second answer." in text and created["answer"] in text
    assert "by staff.one" in text
    assert "Roll back to version 1" in text and "Roll back to version 2" not in text
    token = hidden(page.text, "csrf_token")[0]
    reply = client.post(
        f"/admin{path}/rollback", data={"csrf_token": token, "to_version": "1", "version": "2"}
    )
    assert reply.status_code == 302 and reply.headers["Location"].endswith("done=rolled_back")
    assert FaqRepository(engine).get(created["id"]).answer == created["answer"]
    stale = client.post(
        f"/admin{path}/rollback", data={"csrf_token": token, "to_version": "1", "version": "2"}
    )
    assert stale.status_code == 409 and "Nothing was rolled back" in stale.text


def test_script_in_an_answer_is_shown_escaped(client):
    created = create(client, answer="Hello <script>alert('x')</script> **bold**")
    for url in ["/admin/entries", f"/admin/entries/{created['id']}"]:
        page = client.get(url).text
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(" in page
    edit = client.get(f"/admin/entries/{created['id']}").text
    assert "<strong>bold</strong>" in edit
    assert (
        client.get("/admin/entries")
        .headers["Content-Security-Policy"]
        .startswith("default-src 'none'; script-src 'self'")
    )
