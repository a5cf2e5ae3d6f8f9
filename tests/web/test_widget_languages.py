"""The widget in four languages, in headless Chromium with the real bot: its strings follow the
page's <html lang> (or `lang` in the embed config), then the conversation; the language switch
changes them and tells the assistant; axe finds nothing serious in any language; 375 px works.

Another site embedding the widget is played by the demo page with another <html lang> or embed
config (see `embedded`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from bot.i18n import SUPPORTED_LANGUAGES, _, speaking
from bot.web.widget_text import widget_text
from tests.web.browser import AXE, screenshot
from tests.web.widget import Widget

pytestmark = pytest.mark.e2e

DOMAIN = yaml.safe_load((Path(__file__).parents[2] / "domain.yml").read_text("utf-8"))
GREET = DOMAIN["responses"]["utter_greet"][0]
CONTROLS = {".rw-close-button": "closeChat", ".rw-send": "send", ".rw-new-message": "question"}


def greeting_in(language: str) -> str:
    """What the greeting says in `language` (the catalogue's translation of utter_greet)."""
    with speaking(language):
        return _(GREET["text"])


def embedded(
    page, html_lang: str | None = None, config_lang: str | None = None, text_url: str = ""
) -> None:
    """Show the demo page as a site in another language would embed the widget: its <html lang>
    or its embed config changed just before widget.js runs. (widget.js is rewritten on its way
    to the browser, not the page: Chromium treats a page fulfilled by the test as public, and
    public pages may not reach the bot on loopback.)"""
    before = []
    if html_lang:
        before.append(f"document.documentElement.lang = {json.dumps(html_lang)};")
    if config_lang:
        before.append(change_config(f"s.lang = {json.dumps(config_lang)};"))
    if text_url:  # the strings not in the config: fetched from the web app, as other sites do
        before.append(change_config(f"delete s.text; s.textUrl = {json.dumps(text_url)};"))
    if not before:
        return

    def rewrite(route):
        fetched = route.fetch()
        route.fulfill(response=fetched, body="\n".join([*before, fetched.text()]))

    page.route("**/static/widget.js", rewrite)


def change_config(statement: str) -> str:
    """A script that changes the embed config `s` before widget.js reads it."""
    return (
        "(function () { var c = document.getElementById('assistant-config');"
        f" var s = JSON.parse(c.textContent); {statement} c.textContent = JSON.stringify(s); }})();"
    )


@pytest.fixture()
def context(chromium):
    # bypass_csp: axe is injected as a script, which the page's CSP (rightly) forbids.
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    yield context
    context.close()


def open_page(context, servers, html_lang=None, config_lang=None, text_url=""):
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    embedded(page, html_lang, config_lang, text_url)
    page.goto(servers.page)
    page.wait_for_selector(".rw-launcher", timeout=15_000)
    return page


def shown_strings(page) -> dict:
    """The widget's own strings as the browser has them now."""
    return page.evaluate(
        """() => ({
          placeholder: document.querySelector('.rw-new-message').getAttribute('placeholder'),
          title: document.querySelector('.rw-conversation-container .rw-title').textContent,
          subtitle: document.querySelector('.rw-conversation-container .rw-header > span')
            .textContent,
          launcher: document.querySelector('.rw-launcher').getAttribute('aria-label'),
          log: document.querySelector('.rw-messages-container').getAttribute('aria-label'),
          lang: document.querySelector('.rw-conversation-container').getAttribute('lang'),
          group: document.querySelector('.assistant-languages').getAttribute('aria-label'),
          pressed: [...document.querySelectorAll('.assistant-language[aria-pressed="true"]')]
            .map(b => b.getAttribute('data-language')),
        })"""
    )


def assert_speaks(page, language: str) -> None:
    text = widget_text(language)
    page.wait_for_function(
        "p => document.querySelector('.rw-new-message').getAttribute('placeholder') === p",
        arg=text["placeholder"],
        timeout=10_000,
    )
    shown = shown_strings(page)
    assert shown == {
        "placeholder": text["placeholder"],
        "title": text["title"],
        "subtitle": text["subtitle"],
        "launcher": text["closeChat"],
        "log": text["conversation"],
        "lang": language,
        "group": text["languageSwitch"],
        "pressed": [language],
    }
    for selector, key in CONTROLS.items():
        assert page.get_attribute(selector, "aria-label") == text[key], selector


def overlapping(page) -> bool:
    """Whether the language switch overlaps the header's title or subtitle."""
    return page.evaluate(
        """() => {
          const box = s => document.querySelector(s).getBoundingClientRect();
          const meets = (a, b) => a.left < b.right && b.left < a.right &&
            a.top < b.bottom && b.top < a.bottom;
          const group = box('.assistant-languages');
          return meets(group, box('.rw-conversation-container .rw-title')) ||
            meets(group, box('.rw-conversation-container .rw-header > span'));
        }"""
    )


def axe_serious(page) -> list:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize(
    "language",
    # English and one other script in `make test`; the two other Latin-script languages in soak
    [
        pytest.param(code, marks=[pytest.mark.soak] if code in ("az", "tr") else [])
        for code in SUPPORTED_LANGUAGES
    ],
)
def test_the_widget_speaks_the_pages_language_and_axe_finds_nothing_serious(
    context, servers, language
):
    page = open_page(context, servers, html_lang=language)
    text = widget_text(language)
    assert page.get_attribute(".rw-launcher", "aria-label") == text["openChat"]
    greeting = Widget(page).open()
    assert greeting.text == greeting_in(language), "the greeting, in the page's language"
    with speaking(language):
        assert greeting.replies == [_(button["title"]) for button in GREET["buttons"]]
    assert_speaks(page, language)
    names = page.evaluate(
        "() => [...document.querySelectorAll('.assistant-language')]"
        ".map(b => [b.textContent, b.getAttribute('lang'), b.getAttribute('aria-label')])"
    )
    assert names == [[e["label"], e["code"], e["name"]] for e in text["languages"]]
    assert not overlapping(page), "the switch covers neither the title nor the subtitle"
    assert axe_serious(page) == []
    screenshot(page, f"widget-language-{language}")
    assert not page.errors


def test_the_embed_configs_lang_wins_over_the_pages(context, servers):
    page = open_page(context, servers, html_lang="en", config_lang="tr")
    greeting = Widget(page).open()
    assert greeting.text == greeting_in("tr")
    assert_speaks(page, "tr")


def test_another_site_gets_the_strings_from_the_web_app(context, servers):
    page = open_page(context, servers, html_lang="az", text_url=f"{servers.page}widget/text/")
    assert page.evaluate(
        "() => !JSON.parse(document.getElementById('assistant-config').textContent).text"
    ), "the strings are not in the config"
    greeting = Widget(page).open()
    assert greeting.text == greeting_in("az")
    assert_speaks(page, "az")
    assert not page.errors


def test_the_switch_changes_the_strings_and_the_assistant_greets_in_the_language(context, servers):
    page = open_page(context, servers)
    widget = Widget(page)
    widget.open()
    assert_speaks(page, "en")
    before = widget.bot_count()
    page.click('.assistant-language[data-language="ru"]')
    assert_speaks(page, "ru")  # at once, before the assistant answers
    answer = widget._answer_after(before)
    assert answer.text == greeting_in("ru")
    assert page.locator(".rw-from-client").count() == 0, "the choice is not shown as a message"

    page.focus('.assistant-language[data-language="az"]')  # keyboard-operable too
    before = widget.bot_count()
    page.keyboard.press("Enter")
    assert widget._answer_after(before).text == greeting_in("az")
    assert_speaks(page, "az")

    page.reload()  # the conversation and its language continue
    page.wait_for_selector(".rw-launcher, .rw-conversation-container", timeout=15_000)
    if page.locator(".rw-conversation-container").count() == 0:
        page.click(".rw-launcher")
    page.wait_for_selector(".rw-conversation-container")
    assert_speaks(page, "az")
    assert not page.errors


def test_writing_in_another_language_switches_the_strings(context, servers):
    page = open_page(context, servers)
    widget = Widget(page)
    widget.open()
    answer = widget.ask("какие программы преподаются на английском?")
    assert len(re.findall("[а-яё]", answer.text, re.I)) > len(answer.text) / 3, answer.text
    assert_speaks(page, "ru")
    widget.ask("hangi bölümler İngilizce okutuluyor?")
    assert_speaks(page, "tr")
    widget.ask("Erasmus?")  # a name alone keeps the conversation's language
    assert_speaks(page, "tr")
    widget.ask("which programmes are taught in English?")
    assert_speaks(page, "en")
    assert not page.errors


def test_the_switch_fits_and_works_at_375_px(chromium, servers):
    context = chromium.new_context(
        viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True
    )
    try:
        page = open_page(context, servers, html_lang="ru")
        widget = Widget(page)
        widget.open()
        for button in page.locator(".assistant-language").all():
            box = button.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375, box
            assert box["height"] >= 24 and box["width"] >= 24, "a target a finger can hit"
        before = widget.bot_count()
        page.locator('.assistant-language[data-language="tr"]').tap()
        assert widget._answer_after(before).text == greeting_in("tr")
        assert_speaks(page, "tr")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
        assert not overlapping(page)
        screenshot(page, "widget-mobile-language-switch")
    finally:
        context.close()


def test_widget_strings_are_served_per_language_for_other_sites(servers):
    import requests

    for language in SUPPORTED_LANGUAGES:
        reply = requests.get(f"{servers.page}widget/text/{language}.json", timeout=10)
        assert reply.status_code == 200 and reply.json() == widget_text(language)
    for name in ["fa.json", "ru", "ru.json.bak", "..%2Fapp.py"]:
        assert requests.get(f"{servers.page}widget/text/{name}", timeout=10).status_code == 404
    assert re.search(r"[а-я]", widget_text("ru")["placeholder"])
