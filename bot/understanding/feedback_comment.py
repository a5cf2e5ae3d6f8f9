"""After a 👎 the assistant asks "what was wrong?" once. Is the next message the answer to that,
or a new question? A new question must be answered, never swallowed as a comment.

The rule, in order (pure and multilingual, so it is cheap and testable):
1. a button payload ("/ask_erasmus") is never a comment;
2. words that say something was wrong ("outdated", "неверно", "yanlış", "səhv") make a comment;
3. a question mark, an opening question word or a question particle (en, ru, tr, az), or
   several questions in one message, make a new question;
4. a short message the model confidently places as a question and that names a subject
   ("Erasmus partners in Poland") is a new question;
5. anything else is the comment.
"""

from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

from bot.understanding.split import ASKS

CONFIDENT = 0.8
SHORT_QUESTION_WORDS = 6

COMPLAINT = re.compile(
    r"\b(wrong|incorrect|not correct|outdated|out of date|not true|untrue|false|mistake|error|"
    r"inaccurate|misleading|useless|not helpful|unhelpful|(?:did ?n[o']?t|does ?n[o']?t) "
    r"(?:help|answer)|not what i asked|not my question|irrelevant|no longer)\b"
    r"|\b(неправ|неверн|ошиб|устарел|неточн|не помог|не ответ|бесполезн|не то\b|не так\b)"
    r"|\b(yanlış|hatalı|hata|güncel değil|doğru değil|yardımcı olmadı|alakasız|eskimiş)"
    r"|\b(səhv|düzgün deyil|köhnə|köhnəlib|kömək etmədi|aidiyyəti yoxdur|doğru deyil)",
    re.I,
)
QUESTION_WORD = re.compile(
    r"^\W*(?:а\s+|и\s+)?(что|кто|где|куда|когда|какой|какая|какое|какие|каких|как|почему|зачем|"
    r"сколько|есть ли|можно ли|можно|расскажите|скажите)\b"
    r"|\b(ли)\b"
    r"|^\W*(ne|neler|nedir|kim|kimler|nerede|nereye|hangi|hangileri|nasıl|neden|niçin|niye|kaç)\b"
    r"|^\W*(nə|nədir|kim|harada|haraya|hansı|hansılar|necə|niyə|nəyə|neçə)\b"
    r"|\b(mı|mi|mu|mü|mısın|misin|mısınız|misiniz|varmı|yoxdur\s*mu)\b",
    re.I,
)
WORD = re.compile(r"[^\W\d_]+")


def is_new_question(
    text: str | None,
    intent: str | None = None,
    confidence: float | None = None,
    entities: Sequence[Mapping[str, Any]] = (),
    question_parts: Sequence[Any] = (),
) -> bool:
    """True when the message after "what was wrong?" asks something new (answer it), False
    when it is the student's comment on the answer they marked wrong (store it)."""
    text = (text or "").strip()
    if not text or text.startswith("/"):
        return True
    if COMPLAINT.search(text):
        return False
    if "?" in text or "؟" in text or ASKS.search(text) or QUESTION_WORD.search(text):
        return True
    if len(question_parts) >= 2:
        return True
    placed = (intent or "").startswith("ask_") or intent == "follow_up"
    short = len(WORD.findall(text)) <= SHORT_QUESTION_WORDS
    return placed and (confidence or 0.0) >= CONFIDENT and bool(entities) and short
