"""What one answer did, as the analytics metadata on the bot message that carries it.

The action server (actions/reply.py) and the Rasa server's domain responses
(bot/rasa_server/nlg.py) put `metadata["analytics"]` on every reply:

    {"parts": [{"intent", "topic", "outcome", "faq_entry", "facts"}], "language",
     "feedback_offered"}

one part per question the reply answers. bot/analytics/aggregate.py reads it back from the
tracker store. Kept small (it is stored with every bot message): fact paths only, at most
MAX_FACTS of them.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping

OUTCOMES = (
    "answered_fact",
    "answered_faq",
    "not_covered",
    "fallback",
    "out_of_scope",
    "handoff",
    "chitchat",
)
MAX_FACTS = 8
# Replies about the conversation itself, not answers: "thank you for your feedback". They carry
# no analytics, so the message they reply to counts as a message, not a question.
UNCOUNTED_TOPICS = frozenset({"feedback"})
FEEDBACK_PAYLOAD = "/feedback"
# An answer's own topic when it says what happened rather than what it was about.
OUTCOME_TOPICS = {
    "faq": "answered_faq",
    "handoff": "handoff",
    "fallback": "fallback",
    "unavailable": "fallback",  # could not look it up: a miss, whatever the reason
    "language": "fallback",  # a language the assistant doesn't speak
    "out_of_scope": "out_of_scope",
    "not_covered": "not_covered",
}
# The area of the assistant an intent asks about: what "top topics" and 👍/👎 per topic group by.
# Intents are the model's labels (domain.yml), not university facts.
INTENT_TOPICS = {
    "ask_exchange_programmes": "exchange",
    "ask_erasmus": "exchange",
    "ask_mevlana": "exchange",
    "ask_bilateral": "exchange",
    "ask_partners": "partners",
    "ask_mobility_numbers": "mobility",
    "ask_english_programmes": "programmes",
    "ask_popular_departments": "programmes",
    "ask_dual_degree": "programmes",
    "ask_projects": "projects",
    "ask_project_details": "projects",
    "ask_project_coordinator": "projects",
    "ask_project_period": "projects",
    "ask_project_aims": "projects",
    "ask_project_activities": "projects",
    "ask_international_students": "students",
    "ask_scholarships": "scholarships",
    "ask_office": "office",
    "ask_contact": "office",
    "ask_admissions": "admissions",
    "ask_not_covered": "practical",
    "ask_source": "source",
    "request_human": "handoff",
}
# An answer topic (bot/answers) -> the area, for answers whose intent says nothing
# (follow-ups, questions found by fact retrieval).
ANSWER_TOPICS = {
    "exchange": "exchange",
    "partners": "partners",
    "mobility": "mobility",
    "english_programmes": "programmes",
    "departments": "programmes",
    "dual_degree": "programmes",
    "projects": "projects",
    "students": "students",
    "scholarships": "scholarships",
    "office": "office",
    "contact": "office",
    "admissions": "admissions",
    "source": "source",
}


def counted(answer_topic: str | None) -> bool:
    """Whether a reply with this topic answers a question (and carries analytics)."""
    return answer_topic not in UNCOUNTED_TOPICS


def topic_of(intent: str | None, answer_topic: str | None) -> str | None:
    """The area a question was about: from its intent, else from what the answer was about."""
    if intent in INTENT_TOPICS:
        return INTENT_TOPICS[intent]
    if answer_topic is None:
        return None
    if answer_topic.startswith("project"):
        return "projects"
    return ANSWER_TOPICS.get(answer_topic)


def outcome_of(answer_topic: str | None, known: bool) -> str:
    """answered_fact, answered_faq, not_covered, fallback, out_of_scope or handoff."""
    if answer_topic in OUTCOME_TOPICS:
        return OUTCOME_TOPICS[answer_topic]
    return "answered_fact" if known else "not_covered"


def part(
    intent: str | None,
    answer_topic: str | None,
    known: bool,
    faq_entry: int | None = None,
    facts: Iterable[str] = (),
) -> Dict[str, Any]:
    """The metadata of one answered question."""
    outcome = outcome_of(answer_topic, known)
    return {
        "intent": intent,
        "topic": topic_of(intent, answer_topic),
        "outcome": outcome,
        "faq_entry": faq_entry if outcome == "answered_faq" else None,
        "facts": list(dict.fromkeys(facts))[:MAX_FACTS],
    }


def chitchat(intent: str | None) -> Dict[str, Any]:
    """A greeting, thanks, "are you a bot?": a reply, not an answer to a question."""
    return {"intent": intent, "topic": None, "outcome": "chitchat", "faq_entry": None, "facts": []}


def metadata(
    parts: List[Dict[str, Any]], language: str, buttons: Iterable[Mapping[str, Any]] = ()
) -> Dict[str, Any]:
    offered = any(str(b.get("payload", "")).startswith(FEEDBACK_PAYLOAD) for b in buttons)
    return {"parts": parts, "language": language, "feedback_offered": offered}
