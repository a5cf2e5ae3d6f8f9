"""Messenger presentation rules: 2,000-character messages cut between words, at most 13 quick
replies of at most 20 characters, links kept usable, markdown turned into Messenger's."""

from bot.rasa_server.channels.render import (
    markdown_to_messenger,
    quick_replies,
    split_text,
    to_messenger,
    to_widget,
)
from tests.helpers import run_coroutine


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


# --- links: a refused link is never emitted as a link, on any channel (bot/links.py) ------------

BAD_ANSWER = (
    "Apply [here](<java\tscript:alert(1)>) or [there](&#106;avascript:alert(1)), "
    "see <javascript:alert(2)> and [the page](https://beu.edu.az/apply).\n\n"
    "[ref][1]\n\n[1]: data:text/html,x\n\n<img src=x onerror=alert(3)>"
)


def _no_live_script(text: str) -> None:
    from bot.links import has_refused_link, raw_html

    assert not has_refused_link(text), text
    assert raw_html(text) == [], text


def test_the_widget_shows_refused_links_as_text():
    text = to_widget(BAD_ANSWER)["text"]
    _no_live_script(text)
    assert "[the page](https://beu.edu.az/apply)" in text  # allowed links untouched
    assert "Apply here or there" in text
    assert "&lt;img" in text and "&lt;javascript:alert(2)>" in text


def test_messenger_shows_refused_links_as_text():
    text = " ".join(m.text for m in to_messenger(BAD_ANSWER))
    assert "the page: https://beu.edu.az/apply" in text
    assert "Apply here or there" in text
    assert "](" not in text and "data:text" not in text
    assert "<img src=x onerror=alert(3)>" in text  # plain text on Messenger: shown, never run


def test_rest_output_shows_refused_links_as_text():
    from asyncio import Queue

    from bot.rasa_server.channels.rest import SafeCollectingOutputChannel, SafeQueueOutputChannel

    collector = SafeCollectingOutputChannel()
    run_coroutine(collector.send_text_message("s", BAD_ANSWER))
    run_coroutine(
        collector.send_text_with_buttons("s", BAD_ANSWER, [{"title": "a", "payload": "b"}])
    )
    texts = [m["text"] for m in collector.messages]
    assert len(texts) == 5  # four paragraphs, then the answer with buttons
    for text in texts:
        _no_live_script(text)

    async def streamed() -> dict:
        queue: Queue = Queue()
        await SafeQueueOutputChannel(queue).send_text_with_buttons("s", BAD_ANSWER, [])
        return await queue.get()

    _no_live_script(run_coroutine(streamed())["text"])


UP = '/feedback{"value": "up"}'
DOWN = '/feedback{"value": "down"}'


def test_messenger_keeps_thumbs_and_cuts_follow_ups_to_eleven():
    follow_ups = [{"title": f"Question {i}", "payload": f"/ask_{i}"} for i in range(14)]
    thumbs = [{"title": "👍", "payload": UP}, {"title": "👎", "payload": DOWN}]
    replies = quick_replies([*follow_ups, *thumbs])
    assert len(replies) == 13
    assert [r["payload"] for r in replies] == [f"/ask_{i}" for i in range(11)] + [UP, DOWN]
    assert len(quick_replies(follow_ups)) == 13, "without thumbs, 13 follow-ups as before"
    last = to_messenger("x " * 1500, [*follow_ups, *thumbs])[-1]
    assert [r["title"] for r in last.quick_replies][-2:] == ["👍", "👎"], "on the last message"
