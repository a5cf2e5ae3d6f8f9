"""The review page in headless Chromium against the real servers: a student's handoff (asked
through the REST channel) is listed under its reference, without the sender id; the page is
axe-clean with its deletion form, and fits 375 px."""

from __future__ import annotations

import re
import uuid

import pytest

from bot.privacy.reference import deletion_reference
from bot.staff_db.db import make_engine
from bot.staff_db.inbox import Inbox
from bot.staff_db.users import Users
from tests.servers import ask
from tests.web.browser import AXE, screenshot

pytestmark = pytest.mark.e2e
PASSWORD = "a long staff password"


@pytest.fixture()
def staff_and_key(servers):
    engine = make_engine(servers.database_url)
    username = f"staff.{uuid.uuid4().hex[:8]}"
    try:
        Users(engine, rounds=4).add_user(username, PASSWORD)
        return username, Inbox(engine).salt()
    finally:
        engine.dispose()


def test_the_review_page_lists_a_handoff_by_reference_axe_clean_and_fits_375_px(
    chromium, servers, staff_and_key
):
    username, key = staff_and_key
    sender = f"e2e-review-{uuid.uuid4().hex[:10]}"
    ask(servers.webhook, sender, "I want to talk to a human")
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(servers.page + "admin/login?next=/admin/review")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/admin/review$"))  # the login goes on to the review
        assert deletion_reference(key, sender) in page.inner_text("#conversations")
        assert sender not in page.content()
        screenshot(page, "admin-review-desktop")
        page.set_viewport_size({"width": 375, "height": 800})
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
        screenshot(page, "admin-review-375")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document)")
        serious = [
            f"{v['id']} ({v['impact']}): {v['help']} {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == [], "\n".join(serious)
    finally:
        context.close()
