"""Resolving a new version of the source page in a real browser (headless Debian Chromium): log
in, paste the new version, resolve every fact it changes or removes (update, confirm, retire),
accept it; axe finds no serious problem on the screens on the way."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from sanic import Sanic

from bot.staff_db.db import make_engine
from bot.staff_db.knowledge import KnowledgeRepository
from bot.staff_db.users import Users
from bot.web.admin import AdminSettings
from bot.web.app import WebConfig, create_app
from tests.web.admin.live import PASSWORD, USERNAME, LiveApp
from tests.web.browser import AXE, screenshot

PAGES = Path(__file__).resolve().parent.parent.parent / "kb" / "pages"


@pytest.fixture()
def admin_site(tmp_path, monkeypatch):
    """The web app on a fresh SQLite staff database (seeded from knowledge/ at start-up)."""
    monkeypatch.setattr(Sanic, "test_mode", True)  # several apps may start in one process
    engine = make_engine(f"sqlite:///{tmp_path / 'staff.sqlite3'}")
    settings = AdminSettings(
        bot_rest_url="http://127.0.0.1:9/none", secret_key="k", bcrypt_rounds=4, seed_file=None
    )
    app = create_app(
        WebConfig(), name=f"page_review_{uuid.uuid4().hex[:8]}", engine=engine, admin=settings
    )
    app.config.MOTD = False
    live = LiveApp(app).start()
    Users(engine, rounds=4).add_user(USERNAME, PASSWORD)
    yield live, engine
    live.stop()
    engine.dispose()


def new_version() -> str:
    """The page without the MAGNUS project, with more specialties and more students."""
    text = (PAGES / "removed_item.txt").read_text(encoding="utf-8")
    for old, new in (("18 specialties", "24 specialties"), ("95 students", "140 students")):
        assert old in text
        text = text.replace(old, new)
    return text


def test_staff_resolve_a_new_version_of_the_page_and_accept_it(admin_site, chromium):
    live, engine = admin_site
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "Retire ...?" confirmations
    problems: list = []

    def axe() -> None:
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document)")
        problems.extend(
            f"{page.url}: {v['id']} ({v['impact']}): {v['help']} "
            f"{[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        )

    def item(path: str):
        return page.locator("article").filter(has=page.get_by_role("heading", name=path))

    try:
        page.goto(live.url + "/admin/login")
        page.fill("#username", USERNAME)
        page.fill("#password", PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/admin/entries$"))
        page.get_by_role("link", name="Source page").click()
        page.wait_for_url(re.compile(r".*/admin/knowledge/page$"))
        axe()
        page.fill("#f-text", new_version())
        page.get_by_role("button", name="Compare with the facts").click()
        page.wait_for_url(re.compile(r".*/admin/knowledge/page/review\?.*"))
        accept = page.get_by_role("button", name="Accept the new version")
        assert accept.is_disabled()
        assert "5 open" in page.inner_text("#facts-title")  # MAGNUS: project, coordinator, period

        english = item("programmes.english_taught (EnglishTaught, sentence changed)")
        assert "24" in english.locator("mark").all_inner_texts()
        english.get_by_label("Count (now 18)").fill("24")
        english.get_by_role("button", name="Replace the quote").click()
        page.wait_for_load_state("domcontentloaded")
        assert "4 open" in page.inner_text("#facts-title")

        students = item("international_students (InternationalStudents, sentence changed)")
        students.get_by_label("How you know it still holds").fill("ok")
        students.get_by_role("button", name="Keep, confirmed by me").click()
        page.wait_for_load_state("domcontentloaded")
        assert "at least 3 characters" in page.inner_text(".field-error")  # said where
        axe()
        students = item("international_students (InternationalStudents, sentence changed)")
        students.get_by_label("How you know it still holds").fill("Counted by the registry")
        students.get_by_role("button", name="Keep, confirmed by me").click()
        page.wait_for_load_state("domcontentloaded")

        for path in ("projects[magnus] (Project", "organisations[linkoping] (Organisation"):
            retired = item(re.compile(re.escape(path)))
            retired.get_by_label("Why").fill("No longer on the page")
            retired.get_by_role("button", name="Retire").click()
            page.wait_for_load_state("domcontentloaded")
        assert "0 open" in page.inner_text("#facts-title")
        axe()
        screenshot(page, "page_review_resolved")
        page.get_by_role("button", name="Accept the new version").click()
        page.wait_for_url(re.compile(r".*/admin/knowledge/page\?done=accepted$"))
        assert "now the current source page" in page.inner_text(".notice")
        page.get_by_role("link", name="Coverage of the current page").click()
        page.wait_for_url(re.compile(r".*/admin/knowledge/coverage$"))
        axe()
    finally:
        context.close()
    assert problems == []
    kb = KnowledgeRepository(engine).current().kb
    assert kb.programmes.english_taught.count == 24
    assert kb.international_students.confirmed.note == "Counted by the registry"
    assert "magnus" not in {p.id for p in kb.projects}
