"""Turn an answer (markdown text + buttons) into what a channel can show.

Answers are written once, in markdown, by bot/answers. REST and the web widget render markdown
themselves; Messenger shows plain text with *bold* and _italic_, 2,000 characters a message, and
at most 13 quick replies of 20 characters. Everything channel-specific about presentation is here.

Every channel shows an answer through `safe_markdown` first (bot/links.py): a link whose scheme
is not https, http, mailto or tel, however it is disguised, becomes plain text and raw HTML is
escaped, whether the answer came from the knowledge base, a staff entry or anywhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, List, Sequence

from bot.links import neutralise

MESSENGER_TEXT_LIMIT = 2000
MESSENGER_MAX_QUICK_REPLIES = 13
MESSENGER_QUICK_REPLY_TITLE = 20
MESSENGER_PAYLOAD_LIMIT = 1000

_LINK = re.compile(r"\[([^\]]+)\]\(((?:https?|mailto|tel):[^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def safe_markdown(text: str) -> str:
    """The answer with every refused link as plain text and raw HTML escaped (bot/links.py)."""
    return neutralise(text)


def markdown_to_messenger(text: str) -> str:
    """Messenger formatting: **bold** -> *bold*, [label](url) -> "label: url", - item -> • item.
    Messenger shows plain text, so an escaped `<` (from `safe_markdown`) is shown as `<`."""
    text = _LINK.sub(_plain_link, safe_markdown(text)).replace("&lt;", "<")
    text = _BOLD.sub(r"*\1*", text)
    return re.sub(r"(?m)^- ", "• ", text)


def _plain_link(match: re.Match) -> str:
    label, url = match.group(1), match.group(2)
    shown = url.removeprefix("mailto:").removeprefix("tel:")
    return shown if label == shown else f"{label}: {shown}"


def split_text(text: str, limit: int = MESSENGER_TEXT_LIMIT) -> List[str]:
    """Chunks of at most `limit` characters, cut at paragraph, line or word boundaries."""
    text = text.strip()
    chunks: List[str] = []
    while len(text) > limit:
        window = text[: limit + 1]
        cut = max(window.rfind("\n\n"), -1)
        if cut <= 0:
            cut = window.rfind("\n")
        if cut <= 0:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = limit  # one word longer than a message: nothing better to do
        chunks.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        chunks.append(text)
    return chunks


def _short_title(title: str, limit: int = MESSENGER_QUICK_REPLY_TITLE) -> str:
    title = " ".join(title.split())
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


FEEDBACK_PAYLOAD = "/feedback{"  # 👍/👎 (bot/answers/feedback.py): they always fit


def quick_replies(buttons: Sequence[Dict[str, Any]]) -> List[Dict[str, str]]:
    """Rasa buttons as Messenger quick replies (only those whose payload fits), at most 13: with
    👍/👎 offered, the answer's follow-ups come first and are cut to 11, and 👍/👎 stay."""
    replies = []
    for button in buttons:
        payload = str(button.get("payload") or button.get("title") or "")
        if not payload or len(payload) > MESSENGER_PAYLOAD_LIMIT:
            continue
        title = _short_title(str(button.get("title") or payload))
        replies.append({"content_type": "text", "title": title, "payload": payload})
    feedback = [r for r in replies if r["payload"].startswith(FEEDBACK_PAYLOAD)]
    others = [r for r in replies if not r["payload"].startswith(FEEDBACK_PAYLOAD)]
    return others[: MESSENGER_MAX_QUICK_REPLIES - len(feedback)] + feedback


@dataclass(frozen=True)
class MessengerMessage:
    text: str
    quick_replies: List[Dict[str, str]]

    def as_json(self) -> Dict[str, Any]:
        message: Dict[str, Any] = {"text": self.text}
        if self.quick_replies:
            message["quick_replies"] = self.quick_replies
        return message


def to_messenger(text: str, buttons: Sequence[Dict[str, Any]] = ()) -> List[MessengerMessage]:
    """One answer as Messenger messages; quick replies ride on the last one."""
    chunks = split_text(markdown_to_messenger(text)) or [""]
    replies = quick_replies(buttons)
    return [
        MessengerMessage(chunk, replies if i == len(chunks) - 1 else [])
        for i, chunk in enumerate(chunks)
    ]


def to_widget(
    text: str, buttons: Sequence[Dict[str, Any]] = (), language: str | None = None
) -> Dict[str, Any]:
    """One answer as one rasa-webchat message: markdown kept whole, buttons as quick replies,
    and the answer's language as `metadata.language` (rasa-webchat leaves metadata out of the
    bubble; bot/web/static/widget.js switches its own strings by it).

    Rasa's own socket.io output cuts an answer at every blank line, so a list and its source
    line arrive as separate bubbles; the widget renders markdown, so one bubble reads better.
    """
    message: Dict[str, Any] = {"text": safe_markdown(text).strip()}
    if isinstance(language, str) and language:
        message["metadata"] = {"language": language}
    if buttons:
        message["quick_replies"] = [
            {
                "content_type": "text",
                "title": str(b.get("title") or b.get("payload")),
                "payload": str(b.get("payload") or b.get("title")),
            }
            for b in buttons
            if b.get("payload") or b.get("title")
        ]
    return message
