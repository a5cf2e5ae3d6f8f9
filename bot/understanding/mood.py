"""How a sentence is said: does it assert something (a statement, a tag question, "I heard
that ..."), presuppose partners ("which of your Dutch partners"), or deny ("you don't have ...")?

Precision first: a plain question ("who coordinates NIZAMI?", "do you have partners in Poland?")
asserts nothing, so its normal answer keeps it. The word lists are English, not university facts;
they are tables so other languages can be added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Sequence, Tuple

from bot.kb.index import fold
from bot.kb.schema import Project
from bot.understanding.mentions import Mention, entity_mentions, find_mentions

MAX_CHARS = 2000  # longer messages are read up to here: the check stays bounded

TAG_QUESTION = re.compile(
    r"(?:^|[,\s])(?:right|correct|yes|yeah|yep|true|innit|is that (?:right|correct|true|so)|"
    r"isn'?t (?:it|that|there|he|she)(?: so| right| true)?|is it not|"
    r"aren'?t (?:they|there|you|we)|didn'?t (?:it|they|you|he|she)|doesn'?t (?:it|he|she)|"
    r"don'?t (?:they|you|we)|wasn'?t (?:it|that|there)|weren'?t (?:they|there)|"
    r"hasn'?t (?:it|he|she)|haven'?t (?:they|you|we)|won'?t (?:it|they)|am i right|"
    r"no\?|or not|if i'?m not mistaken|if i remember (?:correctly|right)|as far as i know|"
    r"or am i wrong|or is that wrong)\s*[?!.]*\s*$"
    # after a negative statement: "NIZAMI isn't led by Heidelberg, is it?"
    r"|,\s*(?:is it|was it|are they|were they|does it|did it|do they|do you|have you|has it)"
    r"\s*\?\s*$",
    re.I,
)
PREFACE = re.compile(
    r"^(?:is it (?:true|correct|right|so) that|am i right (?:that|in thinking|to think)|"
    r"correct me if i'?m wrong|if i understand (?:correctly|right)|i (?:heard|read|know|think|"
    r"believe|was told|understand|saw|learned|learnt|remember)|i'?ve (?:heard|read|been told)|"
    r"(?:they|someone|somebody|people|my \w+) (?:told|tell|said|say)|as far as i know|"
    r"(?:just )?to (?:confirm|check|be sure|clarify|double check)|just (?:checking|confirming)|"
    r"let me (?:confirm|check)|since|as|given that|now that|because|considering that)\b",
    re.I,
)
CLAUSE_PRESUPPOSITION = re.compile(
    r"\b(?:since|given that|now that|because|considering that)\s+(?!\d)", re.I
)
# A statement asserts something only if it has a verb: "partner uni in greece" is a query typed
# as keywords, "the MAGNUS project finished in 2019" is a claim.
FINITE_VERB = re.compile(
    r"\b(?:is|are|was|were|s|re|has|have|had|does|do|did|will|can|coordinat(?:es|ed)|leads?|"
    r"led|runs?|ran|heads?|headed|manages?|managed|finish(?:es|ed)|ends?|ended|starts?|started|"
    r"began|begins?|lasts?|lasted|teach(?:es)?|taught|offers?|offered|sends?|sent|goes|went|"
    r"gone|go|includes?|included|cooperates?|cooperated|partnered|partners? with|works|worked|"
    r"comes?|came|study|studies|studied|participates?|participated|hosts?|hosted|covers?|"
    r"covered|got|get|gets|been)\b"
)
WISH = re.compile(
    r"^(?:i|we) (?:want|wanna|would like|d like|wish|need|hope|plan|am planning|m planning|"
    r"am looking|m looking|am interested|m interested|am thinking|m thinking|am going to apply|"
    r"am curious|m curious|would love|d love)\b"
)
EMBEDDED_QUESTION = re.compile(
    r"[,;:-]\s*(?:who|what|what's|whats|which|when|where|why|how)\b", re.I
)
ABOUT_ONLY = re.compile(r"^i (?:heard|read|know|saw|learned|learnt) (?:about|of)\b")
QUESTION_START = {
    "who", "what", "whats", "which", "when", "where", "why", "how", "whom", "whose", "do",
    "does", "did", "is", "are", "was", "were", "can", "could", "will", "would", "should",
    "may", "might", "have", "has", "had", "tell", "please", "list", "show", "give", "explain",
    "any", "shall", "must", "describe", "name",
}  # fmt: skip
OPENERS = {
    "hi", "hello", "hey", "dear", "thanks", "thank", "ok", "okay", "great", "well", "oh",
    "wow", "good", "nice", "cool", "sir", "madam", "and", "also", "but", "then", "hmm", "sorry",
}  # fmt: skip
YOUR_PARTNERS = re.compile(r"\byour\b(?: \w+){0,3} (?:partner|partners)\b")
PLAIN_PARTNER_QUESTION = re.compile(r"^(?:who|what|which) (?:are|is|were) your\b")
NUMBER_WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
)  # fmt: skip
TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
# "one of your partners" counts nothing, so counting starts at two
WORD_NUMBERS = {word: value for value, word in enumerate(NUMBER_WORDS) if value >= 2}
WORD_NUMBERS |= {word: (place + 2) * WORD_NUMBERS["ten"] for place, word in enumerate(TENS)}
NEGATION = re.compile(
    r"\b(?:dont|doesnt|didnt|isnt|arent|wasnt|werent|hasnt|havent|never|no longer)\b|"
    r"\bnot\b(?! sure| only| just| mistaken| wrong)|"
    r"\bno (?:\w+ )?(?:partners?|students?|universities|projects?|agreements?)\b"
)


@dataclass
class Sentence:
    text: str  # as the student wrote it
    tokens: List[str]
    folded: str
    mentions: List[Mention]
    asserting: bool
    presupposing: bool
    context_project: Project | None = None

    def of(self, kind: str) -> List[Mention]:
        return [m for m in self.mentions if m.kind == kind]

    def first(self, kind: str):
        found = self.of(kind)
        return found[0].target if found else None

    def numbers(self) -> List[Tuple[int, int]]:
        """(token position, value) of numbers that are not part of a name ("Horizon 2020")."""
        inside = {i for m in self.mentions for i in range(m.start, m.end)}
        found = []
        for i, token in enumerate(self.tokens):
            if i in inside:
                continue
            if token.isdigit() and len(token) <= 6:
                found.append((i, int(token)))
            elif token in WORD_NUMBERS:
                found.append((i, WORD_NUMBERS[token]))
        return found


def split_sentences(text: str) -> List[Tuple[str, int]]:
    """Sentences with their start offsets; "?", "!", "." and line breaks end one."""
    parts = []
    for match in re.finditer(r"[^.!?\n]+(?:[.!?]+|$)", text):
        raw = match.group()
        chunk = raw.strip()
        if re.search(r"\w", chunk):
            parts.append((chunk, match.start() + len(raw) - len(raw.lstrip())))
    return parts


def strip_openers(words: List[str]) -> List[str]:
    """The sentence without "hi", "ok", "great" ...: "Great, NIZAMI ended in 2018" asserts."""
    while words and words[0] in OPENERS:
        words = words[1:]
    return words


def _mood(text: str, folded: str) -> Tuple[bool, bool]:
    """(asserting, presupposing) for one sentence."""
    words = strip_openers(folded.split())
    body = " ".join(words)
    question = text.rstrip().endswith("?") or bool(EMBEDDED_QUESTION.search(text))
    tagged = bool(TAG_QUESTION.search(text.strip()))
    prefaced = bool(PREFACE.match(body)) and not ABOUT_ONLY.match(body)
    prefaced = prefaced or bool(CLAUSE_PRESUPPOSITION.search(text))
    declarative = (
        not question
        and bool(words)
        and words[0] not in QUESTION_START
        and bool(FINITE_VERB.search(body))
        and not WISH.match(body)
    )
    asserting = tagged or prefaced or declarative
    presupposing = bool(re.search(r"\bof your\b(?: \w+){0,3} partners?\b", body))
    for match in YOUR_PARTNERS.finditer(body):
        before = body[: match.start()].split()[-1:]
        if before not in (["are"], ["is"], ["were"], ["was"]):
            presupposing = True
    return asserting, presupposing


def read_sentences(text: str, entities: Sequence[dict] = ()) -> List[Sentence]:
    """Each sentence with its names and mood; "it" in a later sentence can mean the project
    named before ("PROMIG? It ended in 2019, right?"). Entity offsets are into `text`."""
    text = (text or "")[:MAX_CHARS]
    sentences: List[Sentence] = []
    context: Project | None = None
    for chunk, offset in split_sentences(text):
        tokens = fold(chunk).split()
        mentions = find_mentions(chunk, tokens)
        mentions += entity_mentions(chunk, offset, entities, mentions)
        mentions.sort(key=lambda m: m.start)
        asserting, presupposing = _mood(chunk, " ".join(tokens))
        sentence = Sentence(chunk, tokens, " ".join(tokens), mentions, asserting, presupposing)
        sentence.context_project = context
        projects = sentence.of("project")
        if projects:
            context = projects[-1].target
        sentences.append(sentence)
    return sentences


def is_negated(sentence: Sentence) -> bool:
    """Whether the sentence asserts the negative ("NIZAMI isn't coordinated by Heidelberg,
    right?"); the tag question's own negation ("..., isn't it?") doesn't count."""
    text = TAG_QUESTION.sub("", sentence.text)
    return bool(NEGATION.search(" ".join(strip_openers(fold(text).split()))))
