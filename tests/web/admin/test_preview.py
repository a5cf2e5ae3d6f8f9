"""'What would the bot answer now': the question goes to the bot's REST channel, the answer is
shown with a safe subset of markdown and nothing else."""

from __future__ import annotations

import re
import uuid

from bot.web.admin.render import markdown
from tests.web.admin.helpers import hidden

SENDER = re.compile(r"^staff-preview-([0-9a-f]{32})$")


def test_api_preview_asks_the_bot_as_a_fresh_staff_preview_sender(client, fake_bot):
    fake_bot.replies = [
        {"recipient_id": "x", "text": "Yes, there is a **shuttle**."},
        {"text": "Anything else?", "buttons": [{"title": "Visa", "payload": "/v"}]},
        {"recipient_id": "x", "image": "https://example.org/x.png"},
    ]
    reply = client.api("POST", "/preview", {"question": "  Is there a shuttle?  "})
    assert reply.status_code == 200
    body = reply.json()
    assert body["replies"] == [
        {"text": "Yes, there is a **shuttle**.", "buttons": []},
        {"text": "Anything else?", "buttons": ["Visa"]},
    ]
    assert len(fake_bot.requests) == 1
    sent = fake_bot.requests[0]
    assert sent["path"] == "/webhooks/rest/webhook"
    assert sent["body"]["message"] == "Is there a shuttle?"
    match = SENDER.match(sent["body"]["sender"])
    assert match and uuid.UUID(match.group(1)).version == 4
    assert body["sender"] == sent["body"]["sender"]

    client.api("POST", "/preview", {"question": "again"})
    assert fake_bot.requests[1]["body"]["sender"] != sent["body"]["sender"], "a new conversation"


def test_api_preview_needs_a_question(client, fake_bot):
    for body in [{}, {"question": ""}, {"question": "   "}, {"question": 3}]:
        reply = client.api("POST", "/preview", body)
        assert reply.status_code == 422 and "question" in reply.json()["errors"]
    assert fake_bot.requests == []


def test_preview_page_shows_the_answer_rendered_and_escaped(client, fake_bot):
    fake_bot.replies = [
        {
            "text": "Take the <script>alert(1)</script> **bus**:\n- line one\n- line two\n"
            "[timetable](https://beu.edu.az/bus) or [bad](javascript:alert(2))"
        }
    ]
    page = client.get("/admin/preview", params={"question": "Is there a bus?"})
    assert 'value="Is there a bus?"' in page.text
    token = hidden(page.text, "csrf_token")[0]
    reply = client.post("/admin/preview", data={"csrf_token": token, "question": "Is there a bus?"})
    assert reply.status_code == 200
    text = reply.text
    assert "<script>alert" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<strong>bus</strong>" in text
    assert "<ul><li>line one</li><li>line two</li></ul>" in text
    link = '<a href="https://beu.edu.az/bus" rel="noopener noreferrer" target="_blank">'
    assert link + "timetable</a>" in text
    assert 'href="javascript' not in text and "[bad](javascript:alert(2))" in text
    assert SENDER.match(fake_bot.requests[0]["body"]["sender"])


def test_an_entrys_answer_with_script_is_escaped_in_the_preview(client, fake_bot):
    """The bot would send back the answer staff wrote; the preview must not run it."""
    answer = "<script>document.title='x'</script> See <img src=x onerror=alert(1)>"
    fake_bot.replies = [{"text": answer}]
    page = client.get("/admin/preview")
    reply = client.post(
        "/admin/preview",
        data={"csrf_token": hidden(page.text, "csrf_token")[0], "question": "q"},
    )
    assert "<script>document" not in reply.text and "<img src=x" not in reply.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in reply.text


def test_preview_button_on_an_entry_asks_its_question(client, fake_bot):
    created = client.api(
        "POST",
        "/entries",
        {"question": "Where is the dorm?", "answer": "Next to the campus.", "owner": "IO"},
    ).json()
    page = client.get(f"/admin/entries/{created['id']}").text
    form = page[page.index('action="/admin/preview"') :]
    question = hidden(form, "question")[0]
    assert question == "Where is the dorm?"
    reply = client.post(
        "/admin/preview", data={"csrf_token": hidden(page, "csrf_token")[0], "question": question}
    )
    assert reply.status_code == 200 and "Hello from the bot" in reply.text
    assert fake_bot.requests[0]["body"]["message"] == "Where is the dorm?"


def test_bot_down_or_failing_is_reported(client, make_live, fake_bot):
    fake_bot.status = 500
    reply = client.api("POST", "/preview", {"question": "hi"})
    assert reply.status_code == 502 and "HTTP 500" in reply.json()["error"]
    fake_bot.close()
    reply = client.api("POST", "/preview", {"question": "hi"})
    assert reply.status_code == 502 and "not reachable" in reply.json()["error"]
    page = client.get("/admin/preview")
    shown = client.post(
        "/admin/preview", data={"csrf_token": hidden(page.text, "csrf_token")[0], "question": "hi"}
    )
    assert shown.status_code == 200 and "No answer: the assistant is not reachable" in shown.text


# -- the markdown subset ---------------------------------------------------------------------


def test_markdown_subset():
    assert markdown("a **b** c") == "<p>a <strong>b</strong> c</p>"
    assert markdown("one\ntwo\n\nthree") == "<p>one<br>two</p><p>three</p>"
    assert markdown("Steps:\n1. first\n2. second") == (
        "<p>Steps:</p><ol><li>first</li><li>second</li></ol>"
    )
    assert markdown("- a\n* b\n1. c") == "<ul><li>a</li><li>b</li></ul><ol><li>c</li></ol>"
    assert markdown("[x](https://a.b/c?d=1&e=2)") == (
        '<p><a href="https://a.b/c?d=1&amp;e=2" rel="noopener noreferrer" target="_blank">x</a></p>'
    )


def test_markdown_never_lets_html_or_bad_links_through():
    for text in [
        "<script>alert(1)</script>",
        '[x](https://a.b/" onmouseover="alert(1))',
        "[x](javascript:alert(1))",
        "[x](data:text/html,<b>)",
        "**<img src=x onerror=alert(1)>**",
        "- <iframe src=//evil>",
    ]:
        html = str(markdown(text))
        assert "<script" not in html and "<img" not in html and "<iframe" not in html
        assert 'href="javascript' not in html and 'href="data' not in html
        assert 'onmouseover="' not in html
