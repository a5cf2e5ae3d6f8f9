"""The privacy notice in the widget (headless Chromium, the real page and bot): shown when the
chat first opens, with a link to the privacy page in the conversation's language, not again
when the same conversation is reloaded, and again for a new conversation; axe-clean, and inside
375 px. The privacy page itself in four languages (?lang= and Accept-Language), axe-clean and
readable at 375 px."""

from __future__ import annotations

import urllib.request

import pytest

from bot.i18n import speaking
from bot.ops.retention import retention_days
from bot.web.privacy import page_context
from tests.web.browser import AXE, screenshot
from tests.web.widget import Widget

pytestmark = pytest.mark.e2e
NOTICE = ".assistant-privacy"


def serious_axe_problems(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture()
def context(chromium):
    # axe is injected as a script; the page's CSP (rightly) forbids that, so bypass it here only.
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    yield context
    context.close()


def test_the_widget_says_once_per_conversation_that_staff_may_read_it_and_fits_375_px(
    context, servers
):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(servers.page)
    page.wait_for_selector(".rw-launcher", timeout=15_000)
    widget = Widget(page)
    widget.open()
    notice = page.locator(NOTICE)
    assert notice.is_visible()
    with speaking("en"):
        expected = page_context("en")["intro"]
    assert expected in notice.inner_text()
    link = notice.locator("a")
    assert link.get_attribute("href") == "/privacy?lang=en"
    assert serious_axe_problems(page) == []
    screenshot(page, "widget-privacy-notice")

    page.reload()
    page.wait_for_selector(".rw-launcher, .rw-conversation-container", timeout=15_000)
    if page.locator(".rw-conversation-container").count() == 0:
        page.click(".rw-launcher")
        page.wait_for_selector(".rw-conversation-container")
    page.wait_for_selector(".assistant-languages")  # widget.js has patched the open chat
    assert page.locator(NOTICE).count() == 0, "the same conversation: not shown again"

    # A new conversation, on a phone: shown again, in the language the student switches to,
    # inside 375 px; OK hides it.
    fresh = context.browser.new_context(
        viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True
    )
    try:
        other = fresh.new_page()
        other.goto(servers.page)
        other.wait_for_selector(".rw-launcher", timeout=15_000)
        Widget(other).open()
        assert other.locator(NOTICE).is_visible(), "a new conversation: shown"
        other.click('.assistant-language[data-language="ru"]')
        other.wait_for_function(
            "() => document.querySelector('.assistant-privacy a').getAttribute('href')"
            " === '/privacy?lang=ru'"
        )
        with speaking("ru"):
            assert page_context("ru")["intro"] in other.inner_text(NOTICE)
        for part in (NOTICE, f"{NOTICE} a", ".assistant-privacy-hide"):
            box = other.locator(part).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 376, (part, box)
        screenshot(other, "widget-privacy-notice-mobile-ru")
        other.click(".assistant-privacy-hide")
        assert other.locator(NOTICE).count() == 0, "hidden when the student says OK"
    finally:
        fresh.close()
    assert not errors


def fetch(url: str, accept_language: str | None = None) -> tuple[str, str]:
    headers = {"Accept-Language": accept_language} if accept_language else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=15) as r:
        return r.read().decode(), r.headers.get("Content-Language", "")


@pytest.mark.parametrize("language", ["en", "az", "ru", "tr"])
def test_the_privacy_page_in_each_language(servers, language):
    page, served = fetch(f"{servers.page}privacy?lang={language}")
    expected = page_context(language)
    assert served == language and f'<html lang="{language}">' in page
    assert expected["title"] in page
    for section in expected["sections"]:
        assert section["title"] in page
    assert str(int(retention_days())) in page, "the retention period the deployment uses"
    assert "ABCDE-FGH23" in page, "how a reference looks"


def test_the_privacy_page_follows_the_browser_language(servers):
    home, _ = fetch(servers.page)
    assert 'href="/privacy"' in home, "the site links it too, not only the widget"
    _, served = fetch(f"{servers.page}privacy", "tr-TR,tr;q=0.9,en;q=0.5")
    assert served == "tr"
    _, served = fetch(f"{servers.page}privacy", "fr-FR, de;q=0.8")
    assert served == "en"
    _, served = fetch(f"{servers.page}privacy?lang=az", "ru")
    assert served == "az", "?lang= wins"


def test_the_privacy_page_is_axe_clean_and_fits_375_px(chromium, servers):
    context = chromium.new_context(viewport={"width": 375, "height": 800}, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(f"{servers.page}privacy?lang=ru")
        # measured before axe runs: axe lays out probes of its own
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
        overflowing = page.evaluate(
            "() => [...document.querySelectorAll('h1, h2, p')]"
            ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent.slice(0, 30))"
        )
        assert overflowing == [], "text wider than its box (a long word in a heading)"
        screenshot(page, "privacy-page-ru-375")
        assert serious_axe_problems(page) == []
    finally:
        context.close()
