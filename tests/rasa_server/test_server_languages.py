"""The replies the Rasa server makes itself (the guard's, the store apology, the action-server
apology, Messenger's note on attachments) speak the conversation's language, and every reply the
widget gets says which language it is in."""

from __future__ import annotations

import asyncio

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.slots import AnySlot
from rasa.shared.core.trackers import DialogueStateTracker

from bot.i18n import speaking
from bot.rasa_server.channels.guarded import guarded
from bot.rasa_server.channels.render import to_widget
from bot.rasa_server.guard import EMPTY_REPLY, SLOW_DOWN_REPLY, Guard, RateLimiter
from bot.rasa_server.languages import ConversationLanguages, chosen_language
from bot.rasa_server.patches import action_timeout
from bot.rasa_server.retry import STORE_APOLOGY, TrackerStoreUnavailable
from tests.helpers import run_coroutine

RUSSIAN = "какие программы преподаются на английском?"
TURKISH = "hangi bölümler İngilizce okutuluyor?"

# What each frame says in the language, by a word no other of our languages would use there.
WORD = {
    "ru": {"empty": "напишите вопрос", "long": "2\u00a0000 символов", "wait": "подождите"},
    "tr": {"empty": "Lütfen bir soru", "long": "2.000 karakterden", "wait": "biraz bekleyin"},
}


def message(text, sender="s", metadata=None):
    return UserMessage(text, CollectingOutputChannel(), sender, metadata=metadata)


def texts(output):
    return [m["text"] for m in output.messages]


@pytest.mark.parametrize(("language", "question"), [("ru", RUSSIAN), ("tr", TURKISH)])
def test_the_guard_refuses_in_the_language_of_the_message_or_of_the_sender(language, question):
    guard = Guard(2000, RateLimiter(3))
    assert guard.check(message(question)) is None  # answered by Rasa, language remembered
    empty = guard.check(message("  "))  # no text of its own: the sender's language
    assert WORD[language]["empty"] in empty and empty != EMPTY_REPLY
    too_long = guard.check(message(question + " " + "x" * 2000))
    assert WORD[language]["long"] in too_long, "the limit is a number in the locale's style"
    slow = guard.check(message("?"))
    assert WORD[language]["wait"] in slow and slow != SLOW_DOWN_REPLY


def test_english_replies_are_unchanged_and_a_new_sender_who_says_nothing_gets_english():
    guard = Guard(10, RateLimiter(100))
    assert guard.check(message("", sender="new")) == EMPTY_REPLY
    assert "in under 10 characters" in guard.check(message("which programmes are there?"))


def test_a_switch_mid_conversation_is_followed_and_a_name_alone_keeps_the_language():
    guard = Guard(2000, RateLimiter(100))
    languages = guard.languages
    assert guard.decide(message("which programmes are taught in English?")).language == "en"
    assert guard.decide(message(RUSSIAN)).language == "ru"
    assert guard.decide(message("Erasmus?")).language == "ru"
    assert guard.decide(message(TURKISH)).language == "tr"
    assert languages.of("s") == "tr"


def test_a_language_choice_wins_and_the_widget_language_stands_in_for_a_new_sender():
    assert chosen_language('/set_language{"language":"az"}') == "az"
    assert chosen_language('/set_language{"language": "ru"}') == "ru"
    assert chosen_language('/set_language{"language":"xx"}') is None
    assert chosen_language("/set_language") is None
    assert chosen_language('/greet{"language":"ru"}') is None
    languages = ConversationLanguages()
    assert languages.follow("a", "Erasmus?", {"language": "tr"}) == "tr"
    assert languages.follow("a", '/set_language{"language":"ru"}') == "ru"
    assert languages.follow("a", "MAGNUS??", {"language": "tr"}) == "ru", "the sender's wins"
    assert languages.follow("b", "hi", {"language": "<script>"}) == "en"


def test_senders_are_forgotten_least_recently_seen_first():
    languages = ConversationLanguages(max_senders=2)
    languages.follow("a", RUSSIAN)
    languages.follow("b", TURKISH)
    languages.follow("a", "Erasmus?")
    languages.follow("c", RUSSIAN)
    assert len(languages) == 2 and languages.of("b") is None and languages.of("a") == "ru"


@pytest.mark.parametrize(("language", "question"), [("ru", RUSSIAN), ("tr", TURKISH)])
def test_a_message_not_recorded_gets_the_apology_in_its_language(language, question):
    async def store_down(message):
        await message.output_channel.send_text_message(message.sender_id, "the answer")
        raise TrackerStoreUnavailable("sqlite: database is locked")

    handler = guarded(store_down, Guard(2000, RateLimiter(0)))
    received = message(question)
    assert run_coroutine(handler(received)) is None
    with speaking(language):
        from bot.rasa_server.retry import store_apology

        apology = store_apology()
    assert texts(received.output_channel) == [apology], "the apology alone, in the language"
    assert apology != STORE_APOLOGY


class Recording(CollectingOutputChannel):
    """Keeps the keyword arguments each send got (the collecting channel drops them)."""

    def __init__(self) -> None:
        super().__init__()
        self.kwargs = []

    async def send_text_message(self, recipient_id, text, **kwargs):
        self.kwargs.append(kwargs)
        await super().send_text_message(recipient_id, text, **kwargs)


def test_every_reply_is_labelled_with_the_conversation_language_unless_it_has_its_own():
    async def answer(message):
        channel = message.output_channel
        await channel.send_response(message.sender_id, {"text": "ответ"})
        await channel.send_response(message.sender_id, {"text": "answer", "language": "en"})
        await channel.send_text_message(message.sender_id, "ещё")
        return ["done"]

    output = Recording()
    handler = guarded(answer, Guard(2000, RateLimiter(0)))
    assert run_coroutine(handler(UserMessage(RUSSIAN, output, "s"))) == ["done"]
    assert [k.get("language") for k in output.kwargs] == ["ru", "en", "ru"]
    refusal = Recording()
    run_coroutine(handler(UserMessage("", refusal, "s")))
    assert refusal.kwargs == [{"language": "ru"}]


def test_the_widget_message_carries_its_language_as_metadata():
    assert to_widget("Привет", language="ru") == {"text": "Привет", "metadata": {"language": "ru"}}
    assert "metadata" not in to_widget("Hello")


def tracker(parse_language, slot=None):
    slots = [AnySlot("language", mappings=[{"type": "custom"}])]
    events = [SlotSet("language", slot)] if slot else []
    parse = {"intent": {"name": "ask_partners", "confidence": 1.0}, "entities": []}
    if parse_language is not None:
        parse["language"] = parse_language
    events.append(UserUttered("…", parse_data=parse))
    return DialogueStateTracker.from_events("s", events, slots)


@pytest.mark.parametrize(
    ("parse_language", "slot", "expected"),
    [
        ({"code": "ru", "alternatives": []}, None, "ru"),
        ({"code": None, "alternatives": []}, "tr", "tr"),  # "Erasmus?": the conversation's
        ({"code": "tr", "alternatives": ["az"]}, "az", "az"),  # a tie: the conversation's
        ({"code": "ru", "alternatives": []}, "tr", "ru"),  # a switch is followed
        (None, None, "en"),
        ("garbage", "az", "az"),
    ],
)
def test_the_action_server_apology_speaks_the_conversation_language(parse_language, slot, expected):
    assert action_timeout.conversation_language(tracker(parse_language, slot)) == expected


@pytest.mark.parametrize("language", ["ru", "tr"])
def test_a_failed_action_call_is_apologised_for_in_the_conversation_language(language, monkeypatch):
    monkeypatch.setattr(action_timeout, "apology_text", lambda: f"apology in {_current()}")

    async def hanging(self, output_channel, nlg, tracker, domain):
        raise asyncio.TimeoutError()

    run = action_timeout.apologising(hanging)
    conversation = tracker({"code": language, "alternatives": []})
    events = run_coroutine(run(_Action(), None, None, conversation, None))
    assert len(events) == 1 and isinstance(events[0], BotUttered)
    assert events[0].text == f"apology in {language}"
    assert events[0].message()["language"] == language, "the widget learns the language"
    analytics = events[0].metadata["analytics"]  # counted: the question went unanswered
    assert [p["outcome"] for p in analytics["parts"]] == ["fallback"]
    assert analytics["language"] == language


def _current():
    from bot.i18n import current_language

    return current_language()


class _Action:
    def name(self):
        return "action_answer"


@pytest.mark.parametrize("language", ["ru", "tr"])
def test_messengers_note_on_attachments_is_in_the_senders_language(language, monkeypatch):
    from bot.rasa_server.channels import guarded as guarded_module
    from bot.rasa_server.channels.messenger import ONLY_TEXT, send_only_text

    guard = Guard(2000, RateLimiter(0))
    monkeypatch.setattr(guarded_module, "shared_guard", lambda: guard)
    import bot.rasa_server.channels.messenger as messenger

    monkeypatch.setattr(messenger, "shared_guard", lambda: guard)
    guard.check(message(RUSSIAN if language == "ru" else TURKISH, sender="fb"))
    output = Recording()
    run_coroutine(send_only_text(output, "fb"))
    (note,) = texts(output)
    assert note != ONLY_TEXT and output.kwargs == [{"language": language}]
    assert ("Извините" if language == "ru" else "Üzgünüm") in note
    run_coroutine(send_only_text(output, "unknown sender"))
    assert texts(output)[-1] == ONLY_TEXT


def test_the_apologies_rendered_at_start_up_are_each_in_their_language():
    rendered = action_timeout.apologies()
    assert set(rendered) == {"en", "az", "ru", "tr"}
    assert rendered["en"].startswith("Sorry, I can't look that up right now.")
    assert len(set(rendered.values())) == 4, "one translation per language"
    assert "Извините" in rendered["ru"]
    assert "Üzgünüm" in rendered["tr"] and "Üzr istəyirəm" in rendered["az"]
