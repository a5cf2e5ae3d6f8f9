"""Messenger presentation rules: 2,000-character messages cut between words, at most 13 quick
replies of at most 20 characters, links kept usable, markdown turned into Messenger's."""

from bot.rasa_server.channels.render import (
    markdown_to_messenger,
    quick_replies,
    split_text,
    to_messenger,
    to_widget,
)


def test_short_text_is_one_message():
    assert split_text("hello there") == ["hello there"]


def test_long_text_is_cut_between_words_and_loses_nothing():
    words = [f"word{i}" for i in range(900)]
    text = " ".join(words)
    chunks = split_text(text)
    assert len(chunks) > 1
    assert all(len(c) <= 2000 for c in chunks)
    assert " ".join(chunks).split() == words  # no word broken or lost


def test_paragraph_boundaries_are_preferred():
    text = "a" * 1500 + "\n\n" + "b" * 1000
    assert split_text(text) == ["a" * 1500, "b" * 1000]


def test_quick_replies_are_capped_and_titles_shortened():
    buttons = [
        {"title": f"A very long button title number {i}", "payload": f"/x{i}"} for i in range(20)
    ]
    replies = quick_replies(buttons)
    assert len(replies) == 13
    assert all(len(r["title"]) <= 20 for r in replies)
    assert replies[0] == {"content_type": "text", "title": "A very long button…", "payload": "/x0"}


def test_links_and_bold_survive_in_messenger_form():
    text = "See **this** [the site](https://beu.edu.az) or [a@b.az](mailto:a@b.az)\n- item"
    assert (
        markdown_to_messenger(text) == "See *this* the site: https://beu.edu.az or a@b.az\n• item"
    )


def test_quick_replies_ride_on_the_last_message_only():
    messages = to_messenger("x " * 1500, [{"title": "More", "payload": "/help"}])
    assert [bool(m.quick_replies) for m in messages] == [False, True]


def test_the_widget_gets_one_message_with_its_markdown_and_buttons():
    text = "Intro paragraph.\n\n- first\n- [link](https://example.org)\n\nSource: page"
    message = to_widget(text, [{"title": "More", "payload": "/follow_up"}])
    assert message["text"] == text
    assert message["quick_replies"] == [
        {"content_type": "text", "title": "More", "payload": "/follow_up"}
    ]
    assert "quick_replies" not in to_widget("plain")
