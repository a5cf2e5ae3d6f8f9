"""The /admin/knowledge screens over HTTP, on SQLite and PostgreSQL: the grouped list with quotes
and what the assistant says, the generated form (errors next to the field, nothing typed lost),
the conflict screen, history and rollback, adding a partner, retiring, and the home's list of
what is due for review."""

from __future__ import annotations

import datetime as dt
import html
import re
from urllib.parse import quote

import pytest

from bot.staff_db.faq import FaqRepository
from bot.staff_db.validation import FaqDraft
from bot.web.admin.context import Admin, AdminSettings
from bot.web.admin.due import due_for_review
from tests.web.admin.helpers import field_error, field_value, hidden, html_login
from tests.web.admin.knowledge_helpers import STUDENTS, confirmed, seed_knowledge
from tests.web.admin.live import Client


@pytest.fixture()
def repository(live, engine):
    return seed_knowledge(engine)


@pytest.fixture()
def browser(anonymous, staff, repository):
    """Logged in through the login page, as staff do."""
    assert html_login(anonymous).status_code == 302
    return anonymous


def fact_page(browser, path: str, **params: str):
    query = "".join(f"&{k}={quote(v)}" for k, v in params.items())
    return browser.get(f"/admin/knowledge/fact?path={quote(path, safe='')}{query}")


def form_of(page: str) -> dict:
    """The fact form as the browser would post it now (hidden inputs, inputs, selects)."""
    form = re.search(
        r'<form method="post" action="/admin/knowledge/fact[^"]*".*?</form>', page, re.S
    )
    assert form, "no fact form"
    text = form.group(0)
    data = {
        n: html.unescape(v)
        for n, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', text)
    }
    for name, value in re.findall(
        r'<input id="f-[^"]+" name="([^"]+)" type="[a-z]+"[^>]*? value="([^"]*)"', text
    ):
        data[name] = html.unescape(value)
    for name, value in re.findall(
        r'<textarea id="f-[^"]+" name="([^"]+)"[^>]*>(.*?)</textarea>', text, re.S
    ):
        data[name] = html.unescape(value)
    for name, options in re.findall(
        r'<select id="f-[^"]+" name="([^"]+)"[^>]*>(.*?)</select>', text, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        data[name] = html.unescape(chosen.group(1)) if chosen else ""
    checked = re.search(r'name="provenance" value="([^"]+)" checked', text)
    data["provenance"] = checked.group(1) if checked else ""
    return data


def test_the_list_the_home_review_list_and_a_prefilled_quote(browser, repository, engine, live):
    outsider = Client(live.url)  # no session: the login page; no CSRF token: refused
    assert outsider.get("/admin/knowledge").headers["Location"].startswith("/admin/login")
    assert outsider.get(f"/admin/knowledge/fact?path={STUDENTS}").status_code == 302
    forged = browser.post(f"/admin/knowledge/fact?path={STUDENTS}", data={"count": "1"})
    assert forged.status_code == 403 and repository.fact(STUDENTS).data["count"] == 30
    assert browser.get("/admin/knowledge/history?path=]bad[").status_code == 404
    page = browser.get("/admin/knowledge")
    assert page.status_code == 200
    text = html.unescape(page.text)
    groups = ("Office and contacts", "Exchange programmes and partners", "Programmes", "Projects",
              "Students", "Scholarships")  # fmt: skip
    positions = [text.index(f">{group}</h2>") for group in groups]
    assert positions == sorted(positions)
    assert "Over the last 4 semesters through these exchange programs" in text  # the quote
    assert "30 students have taken part in these exchange programmes" in text  # what it says
    assert "knowledge/fact?path=mobility.students" in text
    assert "Review by 2027-06-30" in text  # the document's, for facts without their own

    # From the page diff: the new sentence the fact should cite, pre-filled.
    sentence = "Over the last 4 semesters through these exchange programs, a total of 30 students"
    assert form_of(fact_page(browser, STUDENTS, quote=sentence).text)["quote"] == sentence
    linked = form_of(fact_page(browser, STUDENTS, quote=sentence, source="page-2027.txt").text)
    assert (linked["quote"], linked["source"]) == (sentence, "page-2027.txt")
    refused = browser.form(f"/admin/knowledge/fact?path={STUDENTS}", linked)
    assert refused.status_code == 422, "no such source version is stored"
    assert form_of(refused.text)["source"] == "page-2027.txt", "the choice is kept"

    # A new version of the page, pending its review: the fact may quote it already.
    live = repository.current()
    sentence = "Over the last 6 semesters, a total of 44 students have been involved."
    page_text = live.sources[live.kb.document.file] + "\n" + sentence + "\n"
    repository.add_source("page-2027.txt", page_text, "staff.one")
    page = fact_page(browser, STUDENTS, quote=sentence, source="page-2027.txt")
    assert "page-2027.txt (pending version)</option>" in page.text
    saved = browser.form(
        f"/admin/knowledge/fact?path={STUDENTS}", {**form_of(page.text), "count": "44"}
    )
    assert saved.status_code == 302, saved.text[:3000]
    cited = repository.fact(STUDENTS).data
    assert (cited["count"], cited["source"], cited["quote"]) == (44, "page-2027.txt", [sentence])

    # The home lists what is due for review: facts and FAQ answers, with their owners.
    today = dt.date.today()
    view = repository.fact(STUDENTS)
    overdue = confirmed(view.data, review_by=(today - dt.timedelta(days=3)).isoformat())
    repository.edit_fact(STUDENTS, overdue, view.version, "staff.one")
    faq = FaqRepository(engine)
    faq.create(FaqDraft("Is there a gym on campus?", "Yes, in building B.", owner="Sports office",
                        as_of=today - dt.timedelta(days=300),
                        review_by=today + dt.timedelta(days=10)), "staff.one")  # fmt: skip
    home = html.unescape(browser.get("/admin/entries").text)
    due = home[home.index("Due for review") : home.index("</table>")]
    assert "students have taken part" in due and "(overdue)" in due
    assert "Is there a gym on campus?" in due and "Sports office" in due
    assert due.index("students have taken part") < due.index("Is there a gym")
    # Near the page's own review date: one row for the facts that follow it, not one per fact.
    page_review = repository.current().kb.document.review_by
    facts_due = [
        i for i in due_for_review(Admin(engine, AdminSettings()), page_review) if i.what == "Fact"
    ]
    assert len(facts_due) == 2 and facts_due[-1].title.startswith("The whole knowledge base")


def test_edit_a_fact_through_the_form_errors_kept_conflict_history_rollback(browser, repository):
    page = fact_page(browser, STUDENTS)
    assert page.status_code == 200
    data = form_of(page.text)
    assert data["count"] == "30" and data["provenance"] == "quote"
    assert '<select id="f-qualifier" name="qualifier"' in page.text  # a Literal is a select
    version = data["version"]

    # Not a number, and a confirmation without a note: errors next to the fields, all kept.
    typed = {**data, "count": "thirty-one", "provenance": "confirmed", "confirmed.note": "",
             "text": "students took part in exchanges (edited)"}  # fmt: skip
    refused = browser.form(f"/admin/knowledge/fact?path={STUDENTS}", typed)
    assert refused.status_code == 422
    assert field_error(refused.text, "count") == "enter a whole number, such as 18"
    assert field_value(refused.text, "count") == "thirty-one"
    assert field_value(refused.text, "text") == "students took part in exchanges (edited)"
    typed["count"] = "31"
    refused = browser.form(f"/admin/knowledge/fact?path={STUDENTS}", typed)
    assert refused.status_code == 422, "the schema wants a note of at least 3 characters"
    assert field_error(refused.text, "confirmed.note")
    assert field_value(refused.text, "count") == "31"
    assert repository.fact(STUDENTS).data["count"] == 30, "the old fact stays live"

    typed["confirmed.note"] = "figure from the registrar, e-mail of 1 December"
    typed["owner"] = "Exchange coordinator"
    saved = browser.form(f"/admin/knowledge/fact?path={STUDENTS}", typed)
    assert saved.status_code == 302, saved.text[:2000]
    assert repository.fact(STUDENTS).data["count"] == 31
    assert repository.fact(STUDENTS).owner == "Exchange coordinator"
    shown = browser.get(saved.headers["Location"])
    assert "Saved and published" in shown.text
    assert "31 students took part in exchanges (edited)" in html.unescape(shown.text)  # preview

    # Someone else saved meanwhile: the conflict screen, with their text kept in the form.
    stale = browser.form(
        f"/admin/knowledge/fact?path={STUDENTS}", {**typed, "count": "33", "version": version}
    )
    assert stale.status_code == 409
    assert "Someone else saved this fact" in stale.text
    assert field_value(stale.text, "count") == "33"
    assert hidden(stale.text, "version") == [str(repository.fact(STUDENTS).version)]

    history = browser.get(f"/admin/knowledge/history?path={STUDENTS}")
    assert history.status_code == 200
    assert re.search(
        r"<th scope=\"row\">Count</th><td class=\"pre\">30</td><td class=\"pre\">31</td>",
        history.text,
    )
    first = min(int(r) for r in hidden(history.text, "to_revision"))
    current = hidden(history.text, "version")[0]
    back = browser.form(
        f"/admin/knowledge/rollback?path={STUDENTS}", {"to_revision": first, "version": current}
    )
    assert back.status_code == 302
    assert repository.fact(STUDENTS).data["count"] == 30


def test_add_a_partner_then_retire_it_and_fill_the_office_contacts(browser, repository):
    page = browser.get("/admin/knowledge/add?list=organisations")
    assert page.status_code == 200 and '<option value="JP">Japan (JP)</option>' in page.text
    token = hidden(page.text, "csrf_token")[0]
    fields = {"csrf_token": token, "list": "organisations", "id": "kyoto",
              "name": "Kyoto University", "aliases": "Kyodai\nKyoto Uni", "country": "JP",
              "kind": "university",
              "programme": "erasmus_ka1", "provenance": "confirmed",
              "confirmed.note": "signed agreement"}  # fmt: skip
    bad = browser.post("/admin/knowledge/add", data={**fields, "id": "Kyoto University!"})
    assert bad.status_code == 422
    assert field_error(bad.text, "id") and field_value(bad.text, "name") == "Kyoto University"
    added = browser.post("/admin/knowledge/add", data=fields)
    assert added.status_code == 302, added.text[:3000]
    kb = repository.current().kb
    assert kb.organisations[-1].aliases == ["Kyodai", "Kyoto Uni"]
    assert "kyoto" in next(p for p in kb.exchange_programmes if p.id == "erasmus_ka1").universities
    # A project's coordinator is chosen among the organisations, the new one included.
    promig = fact_page(browser, "projects[promig]").text
    assert '<option value="tbilisi_state" selected>' in promig
    assert '<option value="kyoto">Kyoto University (kyoto)</option>' in promig

    # Retiring needs a reason; a partner still listed by a programme cannot go.
    path = "organisations[kyoto]"
    version = str(repository.fact(path).version)
    no_reason = browser.form(
        f"/admin/knowledge/retire?path={quote(path)}", {"reason": "", "version": version}
    )
    assert no_reason.status_code == 422 and field_error(no_reason.text, "reason")
    programme = repository.fact("exchange_programmes[erasmus_ka1]")
    repository.edit_fact(
        programme.path, {**programme.data, "universities": []}, programme.version, "staff.one"
    )
    version = str(repository.fact(path).version)
    retired = browser.form(f"/admin/knowledge/retire?path={quote(path)}",
                           {"reason": "the agreement ended", "version": version})  # fmt: skip
    assert retired.status_code == 302, retired.text[:2000]
    listing = browser.get("/admin/knowledge").text
    assert "Kyoto University" in listing and "the agreement ended" in listing
    history = browser.get(f"/admin/knowledge/history?path={quote(path)}").text
    assert "retired by staff.one" in history and "Bring it back as at revision" in history

    # The office contacts: e-mails one per line, each checked; the rest kept when refused.
    page = fact_page(browser, "office.contacts")
    assert page.status_code == 200
    data = form_of(page.text)
    filled = {**data, "emails": "international@beu.edu.az\nnot an address",
              "phone": "+994 12 000 00 00", "address": "AZ0102, Baku, 120 Hasan Aliyev street",
              "opening_hours": "Mon–Fri 9:00–18:00",
              "handoff_reply_time": "within two working days", "provenance": "confirmed",
              "confirmed.note": "from the office's letterhead"}  # fmt: skip
    refused = browser.form("/admin/knowledge/fact?path=office.contacts", filled)
    assert refused.status_code == 422
    assert "line 2" in field_error(refused.text, "emails")
    assert field_value(refused.text, "opening_hours") == "Mon–Fri 9:00–18:00"
    assert repository.current().kb.office.contacts.emails == []

    filled["emails"] = "international@beu.edu.az"
    saved = browser.form("/admin/knowledge/fact?path=office.contacts", filled)
    assert saved.status_code == 302, saved.text[:3000]
    contacts = repository.current().kb.office.contacts
    assert contacts.emails == ["international@beu.edu.az"]
    assert contacts.handoff_reply_time == "within two working days"
    assert contacts.confirmed.by == "staff.one" and contacts.hidden_on_page is not None
