"""The website widget in a real browser: headless Debian Chromium, the real page, the real bot.

Screenshots land in tests/artifacts/ (kept by CI) so a person can look at what students see.
"""

from __future__ import annotations

import json
import uuid

import pytest

from tests.web.browser import AXE, screenshot
from tests.web.widget import CLIENT_BUBBLES, Widget, open_site

pytestmark = pytest.mark.e2e


@pytest.fixture()
def page(chromium, servers):
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    yield open_site(context, servers)
    context.close()


def test_greeting_suggestions_and_a_question_with_a_follow_up(page):
    from bot.answers.base import knowledge

    university = knowledge().kb.university.name  # the page names it from knowledge/kb.yml
    assert page.title().endswith(university) and page.inner_text(".brand") == university
    widget = Widget(page)
    greeting = widget.open()
    assert "international students" in greeting.text
    assert 3 <= len(greeting.replies) <= 4, greeting.replies

    answer = widget.ask("tell me about CRENG")
    assert "Crisis and Risk Engineering for Transport Services" in answer.text
    assert widget.typing_was_shown(), "a typing indicator shows before the answer"
    assert "Who coordinates it?" in answer.replies

    follow_up = widget.ask("who is the coordinator?")
    assert "Warsaw Polytechnic University" in follow_up.text
    screenshot(page, "widget-desktop-conversation")
    assert not page.errors


def test_lists_and_links_are_rendered_from_markdown(page):
    widget = Widget(page)
    widget.open()
    answer = widget.ask("which programmes are taught in English?")
    assert "Computer Engineering" in answer.text
    assert answer.html.count("<li>") >= 5, "the departments are a real list"
    assert "<strong>" in answer.html, "bold text is rendered, not shown as asterisks"
    link = page.locator(".rw-from-response .rw-message-text a").last
    assert link.get_attribute("href").startswith("https://")
    assert "**" not in answer.text and "](" not in answer.text


def test_a_suggestion_button_asks_its_question(page):
    widget = Widget(page)
    greeting = widget.open()
    answer = widget.click_reply(greeting.replies[0])
    assert "English" in answer.text and "Source:" in answer.text


def test_session_is_a_random_uuid4_and_a_reload_continues_the_conversation(page):
    widget = Widget(page)
    widget.open()
    widget.ask("tell me about CRENG")
    stored = json.loads(page.evaluate("() => sessionStorage.getItem('chat_session')"))
    session_id = stored["session_id"]
    assert uuid.UUID(session_id).version == 4

    page.reload()
    page.wait_for_selector(".rw-launcher, .rw-conversation-container", timeout=15_000)
    if page.locator(".rw-conversation-container").count() == 0:
        page.click(".rw-launcher")
    page.wait_for_selector(".rw-conversation-container")
    assert "Crisis and Risk Engineering" in page.inner_text(".rw-messages-container")
    answer = Widget(page).ask("who is the coordinator?")
    assert "Warsaw Polytechnic University" in answer.text, "context survives the reload"
    stored = json.loads(page.evaluate("() => sessionStorage.getItem('chat_session')"))
    assert stored["session_id"] == session_id


@pytest.mark.parametrize(
    "attack",
    [
        "<img src=x onerror=alert(1)>",
        "<script>window.__xss = 1; alert(2)</script>",
        "[click](javascript:alert(3))",
    ],
)
def test_hostile_markup_is_shown_as_text_and_never_runs(page, attack):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    widget = Widget(page)
    widget.open()
    widget.ask(attack)
    page.wait_for_timeout(500)
    assert dialogs == [] and page.evaluate("() => window.__xss") is None
    shown = page.locator(CLIENT_BUBBLES).last
    assert shown.locator("img, script").count() == 0
    for link in shown.locator("a").all():
        assert not (link.get_attribute("href") or "").lower().startswith("javascript:")
    if attack.startswith("<"):
        assert shown.inner_text().strip() == attack, "the student sees exactly what they typed"


def test_keyboard_only_open_type_send_choose_and_close(page):
    page.keyboard.press("Tab")
    for _ in range(20):  # Tab through the page until the launcher has focus
        if page.evaluate("() => document.activeElement.classList.contains('rw-launcher')"):
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail("the chat launcher cannot be reached with Tab")
    widget = Widget(page)
    before = widget.bot_count()
    page.keyboard.press("Enter")
    page.wait_for_selector(".rw-conversation-container")
    widget._answer_after(before)  # the greeting

    for _ in range(10):  # opening may leave focus on the launcher: Tab into the text box
        if page.evaluate("() => document.activeElement.classList.contains('rw-new-message')"):
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail("the message box cannot be reached with Tab")
    before = widget.bot_count()
    page.keyboard.type("tell me about PROMIG")
    page.keyboard.press("Enter")
    answer = widget._answer_after(before)
    assert "PROMIG" in answer.text

    # Shift+Tab from the text box walks back into the conversation to a suggested question.
    for _ in range(30):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("() => document.activeElement.classList.contains('rw-reply')"):
            break
    else:
        pytest.fail("no suggested question can be reached with the keyboard")
    chosen = page.evaluate("() => document.activeElement.innerText")
    before = widget.bot_count()
    page.keyboard.press("Enter")
    assert widget._answer_after(before).text, f"Enter on '{chosen}' asks it"

    is_close = """() => document.activeElement.classList.contains('rw-close-button') ||
        document.activeElement.getAttribute('aria-label') === 'Close the chat'"""
    for _ in range(40):
        page.keyboard.press("Shift+Tab")
        if page.evaluate(is_close):
            break
    else:
        pytest.fail("no close control can be reached with the keyboard")
    page.keyboard.press("Enter")
    page.wait_for_selector(".rw-conversation-container", state="detached")


def test_controls_have_accessible_names_and_axe_finds_nothing_serious(chromium, servers):
    # axe is injected as a script; the page's CSP (rightly) forbids that, so bypass it here only.
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(servers.page)
        page.wait_for_selector(".rw-launcher")
        assert page.get_attribute(".rw-launcher", "aria-label")
        widget = Widget(page)
        widget.open()
        widget.ask("which programmes are taught in English?")
        for control in [".rw-close-button", ".rw-send", ".rw-new-message"]:
            assert page.get_attribute(control, "aria-label"), control
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document)")
        serious = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == [], "\n".join(serious)
        screenshot(page, "widget-desktop-axe-checked")
    finally:
        context.close()


def test_mobile_375px_layout(chromium, servers):
    context = chromium.new_context(
        viewport={"width": 375, "height": 667},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    page = context.new_page()
    try:
        page.goto(servers.page)
        page.wait_for_selector(".rw-launcher")
        screenshot(page, "widget-mobile-closed")
        widget = Widget(page)
        widget.open()
        answer = widget.ask("which programmes are taught in English?")
        assert "Computer Engineering" in answer.text
        box = page.locator(".rw-conversation-container").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375 + 1, box
        for part in [".rw-new-message", ".rw-close-button", ".rw-from-response .rw-response"]:
            part_box = page.locator(part).last.bounding_box()
            assert part_box and part_box["x"] >= 0 and part_box["x"] + part_box["width"] <= 376, (
                part,
                part_box,
            )
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
        screenshot(page, "widget-mobile-conversation")
    finally:
        context.close()
