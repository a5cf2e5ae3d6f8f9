"""The admin and languages: an entry's versions in the form (errors next to their field), the
inbox shows each question's language, and the preview asks for an answer in a chosen language."""

from __future__ import annotations

from bot.staff_db.faq import FaqRepository
from bot.staff_db.inbox import Inbox
from tests.web.admin.helpers import entry, field_error, field_value, form_data, hidden

RU_QUESTION = "Есть ли трансфер из аэропорта?"
RU_ANSWER = "Да: см. [страницу о транспорте](https://beu.edu.az/en/transport)."


def test_the_form_saves_a_russian_version_and_shows_it_again(client, engine):
    token = hidden(client.get("/admin/entries/new").text, "csrf_token")[0]
    versions = {
        "translations.ru.question": RU_QUESTION,
        "translations.ru.phrasings": "трансфер\r\nвстреча в аэропорту",
        "translations.ru.answer": RU_ANSWER,
    }
    reply = client.post(
        "/admin/entries/new",
        data=form_data(entry(), csrf_token=token, action="publish", **versions),
    )
    assert reply.status_code == 302  # saved: back to the list
    [stored] = FaqRepository(engine).list_entries()
    assert stored.translations == {
        "ru": {
            "question": RU_QUESTION,
            "phrasings": ["трансфер", "встреча в аэропорту"],
            "answer": RU_ANSWER,
        }
    }
    page = client.get(f"/admin/entries/{stored.id}").text
    assert field_value(page, "translations.ru.answer") == RU_ANSWER
    assert field_value(page, "translations.az.answer") == ""


def test_a_version_without_an_answer_is_refused_next_to_its_field(client, engine):
    token = hidden(client.get("/admin/entries/new").text, "csrf_token")[0]
    data = form_data(entry(), csrf_token=token, action="publish")
    data["translations.tr.question"] = "Havalimanı servisi var mı?"
    reply = client.post("/admin/entries/new", data=data)
    assert reply.status_code == 422
    assert "empty" in field_error(reply.text, "translations.tr.answer")
    assert 'href="#f-translations.tr.answer"' in reply.text  # the summary links to the field
    assert field_value(reply.text, "translations.tr.question") == "Havalimanı servisi var mı?"
    assert FaqRepository(engine).list_entries() == []


def test_the_inbox_shows_each_questions_language(client, engine):
    inbox = Inbox(engine, salt="test")
    inbox.record_unanswered("Есть ли общежитие?", "rest", None, None, "s1", language="ru")
    inbox.record_unanswered("Yurt var mı?", "rest", None, None, "s2", language="tr")
    body = client.api("GET", "/inbox").json()
    languages = {q["text"]: q["language"] for g in body["groups"] for q in g["questions"]}
    assert languages == {"Есть ли общежитие?": "ru", "Yurt var mı?": "tr"}
    page = client.get("/admin/inbox").text
    assert "language: ru" in page and "language: tr" in page


def test_the_preview_asks_for_an_answer_in_the_chosen_language(client, fake_bot):
    fake_bot.replies = [{"text": "Да."}]
    reply = client.api("POST", "/preview", {"question": "Is there a shuttle?", "language": "ru"})
    assert reply.status_code == 200 and reply.json()["language"] == "ru"
    assert fake_bot.requests[-1]["body"]["metadata"] == {"staff_preview": True, "language": "ru"}
    client.api("POST", "/preview", {"question": "Is there a shuttle?"})
    assert fake_bot.requests[-1]["body"]["metadata"] == {"staff_preview": True}
    refused = client.api("POST", "/preview", {"question": "Is there a shuttle?", "language": "fr"})
    assert refused.status_code == 422 and "language" in refused.json()["errors"]
    page = client.get("/admin/preview").text
    assert '<select id="f-language" name="language">' in page and "Russian" in page
