"""The knowledge-base screens in headless Chromium against the running web app and its staff
database: log in, edit a fact, see the field error of an invalid edit with what was typed kept,
publish, see what the assistant now says, and a student asking in the site's widget gets it within
5 s; axe on every new page; usable 375 px wide."""

from __future__ import annotations

import importlib.util
import re
import time
import uuid

import pytest

from bot.staff_db.db import make_engine
from bot.staff_db.knowledge import KnowledgeRepository
from bot.staff_db.users import Users
from tests.servers import ask
from tests.web.admin.test_admin_browser import login, watch
from tests.web.browser import AXE, screenshot
from tests.web.widget import Widget, open_site

pytestmark = pytest.mark.e2e
PASSWORD = "a long staff password"
STUDENTS = "mobility.students"
# The live reload (kblive: bot/kb/live.py) makes the running assistant follow a saved fact.
LIVE_RELOAD = importlib.util.find_spec("bot.kb.live") is not None
PUBLISH_TO_ANSWER_SECONDS = 5
QUESTION = "how many students went abroad on exchange"  # tests/e2e/cases.yml p22: "30"


def answers(servers, figure: str) -> bool:
    """The running assistant's answer to QUESTION (a new conversation) states `figure`."""
    replies = ask(servers.webhook, f"kbadmin-{uuid.uuid4().hex[:8]}", QUESTION)
    return re.search(rf"\b{figure}\b", " ".join(r.get("text", "") for r in replies)) is not None


def within(seconds: float, condition) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
    return True


@pytest.fixture()
def staff(servers):
    engine = make_engine(servers.database_url)
    username = f"staff.{uuid.uuid4().hex[:8]}"
    Users(engine, rounds=4).add_user(username, PASSWORD)
    engine.dispose()
    return username


@pytest.fixture()
def restored(servers):
    """The shared servers' fact as it was, whatever the test did to it (other tests ask it)."""
    engine = make_engine(servers.database_url)
    repository = KnowledgeRepository(engine)
    deadline = time.monotonic() + 30
    while repository.current() is None:  # the web app seeds it at start-up
        assert time.monotonic() < deadline, "the web app never seeded the knowledge base"
        time.sleep(0.2)
    original = repository.fact(STUDENTS).data
    yield repository
    now = repository.fact(STUDENTS)
    if now.data != original:
        repository.edit_fact(STUDENTS, original, now.version, "test-cleanup", "restored")
        if LIVE_RELOAD:  # the next test that asks must get the page's figure again
            assert within(PUBLISH_TO_ANSWER_SECONDS, lambda: answers(servers, "30"))
    engine.dispose()


def fact_url(base: str, path: str) -> str:
    return f"{base}admin/knowledge/fact?path={path}"


def test_staff_edit_a_fact_see_the_error_then_publish(servers, staff, chromium, restored):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = watch(context.new_page())
        page.goto(servers.page + "admin/login")
        login(page, staff, PASSWORD)
        page.wait_for_url(re.compile(r".*/admin/entries$"))
        page.get_by_role("link", name="Knowledge base").click()
        page.wait_for_url(re.compile(r".*/admin/knowledge$"))
        page.locator("a[href*='path=mobility.students']").first.click()
        page.wait_for_url(re.compile(r".*/admin/knowledge/fact\?path=mobility\.students"))
        assert page.locator("#f-count").input_value() == "30"

        # Invalid: the error next to the field, everything typed kept, nothing saved.
        page.fill("#f-count", "thirty-one")
        page.fill("#f-text", "students went abroad on exchange in the last 4 semesters")
        page.check("#f-provenance-confirmed")
        page.fill("[id='f-confirmed.note']", "figure from the registrar's e-mail")
        page.get_by_role("button", name="Save and publish").click()
        page.wait_for_selector("#err-count")
        assert "whole number" in page.inner_text("#err-count")
        assert page.get_attribute("#f-count", "aria-invalid") == "true"
        assert page.locator("#f-count").input_value() == "thirty-one"
        assert page.locator("#f-text").input_value().startswith("students went abroad")
        assert page.is_checked("#f-provenance-confirmed")
        assert restored.fact(STUDENTS).data["count"] == 30, "the old fact stays live"

        # Fixed and published: the page shows what the assistant now says from it.
        page.fill("#f-count", "31")
        page.get_by_role("button", name="Save and publish").click()
        page.wait_for_url(re.compile(r".*done=saved$"))
        published = time.monotonic()
        assert "Saved and published" in page.inner_text(".notice")
        assert "31 students went abroad on exchange" in page.inner_text(".says")
        assert page.locator("#f-count").input_value() == "31"
        screenshot(page, "admin-knowledge-fact")
        if LIVE_RELOAD:  # a student asking in the site's widget gets the new figure within 5 s
            student = open_site(context, servers)
            widget = Widget(student)
            widget.open()
            while not re.search(r"\b31\b", widget.ask(QUESTION).text):
                assert time.monotonic() - published < PUBLISH_TO_ANSWER_SECONDS, "not within 5 s"
            assert not student.errors, student.errors
        assert not page.errors, page.errors
    finally:
        context.close()


def test_knowledge_pages_pass_axe_and_fit_375_px(servers, staff, chromium, restored):
    # axe is injected as a script, which the admin's CSP (rightly) forbids: bypass it here only.
    context = chromium.new_context(viewport={"width": 375, "height": 800}, bypass_csp=True)
    page = context.new_page()
    admin = servers.page + "admin/"

    def too_wide() -> list:
        width = page.evaluate("document.documentElement.scrollWidth")
        return [f"{page.url}: {width} px wide at 375 px"] if width > 375 else []

    def problems() -> list:
        page.add_script_tag(path=str(AXE))
        # violations only: axe skips detailing every passing node (half the time on the list)
        options = "{resultTypes: ['violations']}"
        result = page.evaluate(f"async () => await axe.run(document, {options})")
        found = [
            f"{page.url}: {v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        return found + too_wide()

    try:
        found = []
        page.goto(admin + "login")
        login(page, staff, PASSWORD)
        page.wait_for_url(re.compile(r".*/admin/entries$"))
        found += too_wide()  # the home, with what is due for review
        # axe once per new template (the fact form below, with its errors); width everywhere
        for path, check in [
            ("knowledge", problems),
            ("knowledge/fact?path=office.contacts", too_wide),
            ("knowledge/fact?path=projects[promig]", too_wide),
            ("knowledge/add?list=organisations", problems),
            (f"knowledge/history?path={STUDENTS}", problems),
        ]:
            page.goto(admin + path)
            found += check()
        page.goto(admin + f"knowledge/fact?path={STUDENTS}")
        page.fill("#f-count", "many")
        page.get_by_role("button", name="Save and publish").click()
        page.wait_for_selector("#err-count")
        found += problems()  # the form with its errors
        assert found == [], "\n".join(found)
    finally:
        context.close()
