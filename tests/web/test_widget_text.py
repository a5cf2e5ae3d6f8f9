"""The widget's own strings (bot/web/widget_text.py) in every language, and how the demo page
hands them to bot/web/static/widget.js."""

from __future__ import annotations

import json

import pytest

from bot.i18n import SUPPORTED_LANGUAGES
from bot.web.app import WebConfig
from bot.web.widget_text import widget_text

STRINGS = [
    "title",
    "subtitle",
    "placeholder",
    "openChat",
    "closeChat",
    "send",
    "fullScreen",
    "question",
    "conversation",
    "languageSwitch",
]


def test_english_strings_are_the_ones_the_widget_always_showed():
    english = widget_text("en")
    assert english["placeholder"] == "Type your question…"
    assert english["closeChat"] == "Close the chat"
    assert english["openChat"] == "Open the chat with the BEU assistant"


@pytest.mark.parametrize("language", ["az", "ru", "tr"])
def test_every_string_is_translated(language):
    text, english = widget_text(language), widget_text("en")
    assert text["language"] == language
    untranslated = [key for key in STRINGS if not text[key] or text[key] == english[key]]
    assert untranslated == []


def test_the_switch_names_each_language_in_itself():
    entries = widget_text("ru")["languages"]
    assert [e["code"] for e in entries] == list(SUPPORTED_LANGUAGES)
    assert [e["label"] for e in entries] == ["EN", "AZ", "RU", "TR"]
    assert [e["name"] for e in entries] == ["English", "Azərbaycan", "Русский", "Türkçe"]
    assert widget_text("az")["languages"] == entries, "the same in every interface language"


def test_an_unknown_language_gets_english():
    assert widget_text("fa")["placeholder"] == widget_text("en")["placeholder"]


def test_the_page_config_carries_all_four_and_the_configured_language():
    settings = WebConfig(socket_url="http://bot:5005").widget_settings()
    assert settings["socketUrl"] == "http://bot:5005" and "lang" not in settings
    assert set(settings["text"]) == set(SUPPORTED_LANGUAGES)
    assert settings["text"]["tr"] == widget_text("tr")
    assert WebConfig(lang="az").widget_settings()["lang"] == "az"
    assert "lang" not in WebConfig(lang="xx").widget_settings(), "an unsupported one is ignored"
    assert "</" not in json.dumps(settings), "safe inside the page's <script> data block"


def test_the_language_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("WIDGET_LANG", "ru")
    assert WebConfig.from_env().lang == "ru"
