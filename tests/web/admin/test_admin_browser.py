"""The staff admin in a real browser (headless Debian Chromium) against the real bot.

A staff member logs in, sees the question the assistant could not answer in the inbox, answers
it in one step ("Save and publish"), and a student asking the same question in the website
widget gets the new answer within 5 seconds, with no retraining or restart.
"""

from __future__ import annotations

import json
import re
import time
import uuid

import pytest

from bot.staff_db.db import make_engine
from bot.staff_db.feedback import FeedbackRepository
from bot.staff_db.inbox import Inbox
from bot.staff_db.users import Users
from tests.web.browser import AXE, screenshot
from tests.web.widget import Widget

pytestmark = pytest.mark.e2e
QUESTION = "Is there a shuttle from the airport to the campus?"
PASSWORD = "a long staff password"
PUBLISH_TO_ANSWER_SECONDS = 5


@pytest.fixture()
def staff(servers):
    engine = make_engine(servers.database_url)
    username = f"staff.{uuid.uuid4().hex[:8]}"
    Users(engine, rounds=4).add_user(username, PASSWORD)
    engine.dispose()
    return username


@pytest.fixture()
def context(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    yield context
    context.close()


def watch(page):
    """Collect script errors and CSP violations: the admin must work under a strict CSP."""
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            page.errors.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    return page


def login(page, username: str, password: str) -> None:
    page.fill("#username", username)
    page.fill("#password", password)
    page.keyboard.press("Enter")  # the form works from the keyboard
    page.wait_for_load_state("domcontentloaded")


def test_staff_answer_an_unanswered_question_and_students_get_it_within_5_seconds(
    servers, staff, context
):
    admin = servers.page + "admin/"
    marker = f"shuttle-{uuid.uuid4().hex[:8]}"

    # Not logged in: the login page. A wrong password is refused.
    page = watch(context.new_page())
    page.goto(admin)
    assert "/admin/login" in page.url
    login(page, staff, "not the password")
    assert page.locator("#login-error").inner_text() == "Wrong username or password."
    assert "/admin/login" in page.url

    login(page, staff, PASSWORD)
    page.wait_for_url(re.compile(r".*/admin/entries$"))
    assert page.locator("h1").inner_text() == "Answers"
    cookie = next(c for c in context.cookies() if c["name"] == "beu_admin_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    header = page.locator(".admin-header")
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(11, 61, 145)", (
        "the stylesheet loads under the admin's CSP"
    )

    # A student asks; the assistant does not know yet.
    student = context.new_page()
    student.goto(servers.page)
    student.wait_for_selector(".rw-launcher", timeout=15_000)
    widget = Widget(student)
    widget.open()
    before = widget.ask(QUESTION)
    assert marker not in before.text

    # The question is in the inbox; "Answer" opens the form with it filled in.
    page.goto(admin + "inbox")
    group = page.locator("article.group", has_text=QUESTION).first
    group.wait_for(timeout=10_000)
    screenshot(page, "admin-inbox")
    group.get_by_role("link", name=re.compile(r"^Answer")).click()
    page.wait_for_url(re.compile(r".*/admin/entries/new\?ids=.*"))
    assert page.locator("#f-question").input_value().strip() != ""
    assert page.locator("input[name=inbox_ids]").count() >= 1
    page.fill("#f-question", QUESTION)
    page.fill("#f-phrasings", "airport shuttle to the campus")
    page.fill("#f-answer", f"Yes: the office can arrange an airport pickup ({marker}).")
    page.fill("#f-tags", "shuttle, airport")
    page.get_by_role("button", name="Save and publish").click()
    page.wait_for_url(re.compile(r".*/admin/entries/\d+\?done=published$"))
    published = time.monotonic()
    assert "Published" in page.locator(".notice").inner_text()
    entry_id = int(re.search(r"/admin/entries/(\d+)", page.url).group(1))

    # The same question in the widget gets the new answer within 5 seconds.
    answer = widget.ask(QUESTION)
    while marker not in answer.text:
        assert time.monotonic() - published < PUBLISH_TO_ANSWER_SECONDS, (
            f"not answered within {PUBLISH_TO_ANSWER_SECONDS} s of publishing: {answer.text!r}"
        )
        answer = widget.ask(QUESTION)
    assert time.monotonic() - published < PUBLISH_TO_ANSWER_SECONDS + 1

    # The answered group left the inbox; the entry list shows the published answer.
    page.goto(admin + "inbox")
    assert page.locator("article.group", has_text=QUESTION).count() == 0
    page.goto(admin + "entries")
    row = page.locator("tbody tr", has_text=QUESTION)
    assert "Published" in row.inner_text()
    screenshot(page, "admin-entries")
    page.goto(admin + f"entries/{entry_id}/history")
    assert "Version 1: create" in page.inner_text("main")
    assert not page.errors, page.errors


def test_a_post_without_the_csrf_token_is_refused(servers, staff, context):
    page = watch(context.new_page())
    page.goto(servers.page + "admin/login")
    login(page, staff, PASSWORD)
    page.wait_for_url(re.compile(r".*/admin/entries$"))
    probe = uuid.uuid4().hex[:8]
    question = f"CSRF probe {probe}?"
    body = {"question": question, "answer": "Should never be saved.", "owner": "attacker"}

    # The session cookie goes along (same browser context), the token does not.
    api = page.request.post(
        servers.page + "admin/api/entries",
        data=json.dumps(body),
        headers={"Content-Type": "application/json"},
    )
    assert api.status == 403
    form = page.request.post(servers.page + "admin/entries/new", form={**body, "action": "publish"})
    assert form.status == 403
    wrong = page.request.post(
        servers.page + "admin/api/entries",
        data=json.dumps(body),
        headers={"Content-Type": "application/json", "X-CSRF-Token": "guessed"},
    )
    assert wrong.status == 403

    listed = page.request.get(servers.page + "admin/api/entries?q=" + probe)
    assert listed.status == 200, "the session itself is valid"
    assert listed.json()["entries"] == []


def test_admin_pages_have_no_serious_accessibility_problems(servers, staff, chromium):
    # axe is injected as a script, which the admin's CSP (rightly) forbids: bypass it here only.
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    admin = servers.page + "admin/"

    def serious() -> list:
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document)")
        return [
            f"{page.url}: {v['id']} ({v['impact']}): {v['help']} "
            f"{[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    try:
        problems = []
        page.goto(admin + "login")
        problems += serious()
        login(page, staff, PASSWORD)
        page.wait_for_url(re.compile(r".*/admin/entries$"))
        problems += serious()
        page.goto(admin + "entries/new")
        page.fill("#f-answer", "x" * 1001)
        page.get_by_role("button", name="Save draft").click()
        page.wait_for_selector(".error-summary")
        # admin.js moves the focus once the page has loaded: wait for it (a loaded machine is slow)
        page.wait_for_function(
            "() => document.activeElement.className === 'error-summary'", timeout=10_000
        )  # after a failed save the keyboard focus is on the list of problems
        assert "limit is 1000" in page.inner_text("#err-answer")
        assert page.get_attribute("#f-answer", "aria-invalid") == "true"
        problems += serious()
        # an answer marked wrong, so the inbox's "marked wrong" section is checked with content
        engine = make_engine(servers.database_url)
        try:
            FeedbackRepository(Inbox(engine)).record(
                "down",
                f"axe-{uuid.uuid4().hex}",
                record_key=uuid.uuid4().hex,
                question="Who coordinates PROMIG?",
                comment="The coordinator changed.",
                intent="ask_project_coordinator",
                channel="rest",
            )
        finally:
            engine.dispose()
        for path in ["inbox", "preview", "entries/1", "entries/1/history"]:
            page.goto(admin + path)
            problems += serious()
        assert problems == [], "\n".join(problems)
    finally:
        context.close()
