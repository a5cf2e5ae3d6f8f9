"""Typo normaliser: maps misspelt words to the closest word of the training vocabulary.

"how mny forein studnts" shares few character n-grams with any training example and MiniLM's
word pieces of "studnts" mean little, so both feature sets miss it. This component learns the
vocabulary of the training data and writes a corrected copy of each message (NORMALIZED_TEXT)
for the featurizer and the classifier; the message text itself, entities and logs keep what
the student typed.

The vocabulary is kept per language (en, az, tr, ru...), and a message is corrected only
towards the words of its own language(s), as the language detector put them on the message.
One vocabulary for all would "correct" Turkish "universite" into English "universities" and
Latin-typed Russian "est li" into "best li"; a word that is an ordinary word of another
language is left alone too, in case the detector mixed up two close languages.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from functools import lru_cache
from typing import Any, Dict, Iterable, List, Mapping, Sequence, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, METADATA, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.language.textfold import strip_accents
from bot.rasa_server.nlu.question_parts import QUESTION_PARTS  # split before normalising
from bot.rasa_server.nlu.stored import JsonStateComponent

NORMALIZED_TEXT = "beu_normalized_text"
WORD = re.compile(r"[a-zA-Z]+")  # English-only words: the fuzzy name matcher's tokens
LETTERS = re.compile(r"[^\W\d_]+")  # a word in any script: "tələbələrin", "öğrenci", "студент"
CYRILLIC = re.compile(r"[\u0400-\u04FF]")
LANGUAGE = "language"  # set on each message by the language detector (bot.language.detect)
DEFAULT_LANGUAGE = "en"


def word_counts(training_data: TrainingData) -> Dict[str, int]:
    """How often each (lower-cased) English-letter word occurs in the training examples."""
    return dict(
        Counter(
            word.lower()
            for message in training_data.training_examples
            for word in WORD.findall(message.get(TEXT) or "")
        )
    )


def lower(word: str) -> str:
    """Lower case that keeps Turkish "İ" one letter ("İtalya" -> "italya", not "i̇talya")."""
    return word.replace("İ", "i").lower()


def example_language(message: Message) -> str:
    """A training example's language: the `language` its data file declares in the intent's (or
    the example's) metadata (data/nlu/az/*.yml), else the detector's, else Cyrillic means ru."""
    metadata = message.get(METADATA) or {}
    for level in ("example", "intent"):
        declared = metadata.get(level)
        if isinstance(declared, Mapping) and declared.get(LANGUAGE):
            return str(declared[LANGUAGE])
    detected = message.get(LANGUAGE)
    if isinstance(detected, Mapping) and detected.get("code"):
        return str(detected["code"])
    if CYRILLIC.search(message.get(TEXT) or ""):
        return "ru"
    return DEFAULT_LANGUAGE


def message_languages(message: Message) -> Tuple[str, ...]:
    """The languages a message may be in, as the detector saw it: its code, then the close
    alternatives ("az" with "tr"); () when undecidable or not detected."""
    detected = message.get(LANGUAGE)
    if not isinstance(detected, Mapping) or not detected.get("code"):
        return ()
    return (str(detected["code"]), *(str(a) for a in detected.get("alternatives") or ()))


class Speller:
    """Corrects a word towards a close, much more frequent word of the same language(s)."""

    def __init__(
        self,
        vocabularies: Mapping[str, Mapping[str, int]],
        min_count: int = 2,
        min_length: int = 3,
        cutoff: float = 0.8,
        dominance: float = 3,
    ) -> None:
        self.vocabularies = {lang: dict(words) for lang, words in vocabularies.items()}
        self.min_count, self.min_length = min_count, min_length
        self.cutoff, self.dominance = cutoff, dominance
        self._merged = lru_cache(maxsize=64)(self._merge)
        self.correct = lru_cache(maxsize=20000)(self._closest)

    def _merge(self, languages: Tuple[str, ...]) -> Tuple[Dict[str, int], List[str]]:
        """The counts of these languages' vocabularies together, and the correction targets."""
        counts: Counter = Counter()
        for lang in languages:
            counts.update(self.vocabularies.get(lang, {}))
        targets = sorted(w for w, n in counts.items() if n >= self.min_count)
        return dict(counts), targets

    def _known_elsewhere(self, word: str, languages: Tuple[str, ...]) -> bool:
        return any(
            words.get(word, 0) >= self.min_count
            for lang, words in self.vocabularies.items()
            if lang not in languages
        )

    def _closest(self, word: str, languages: Tuple[str, ...] = ()) -> str:
        """A word moves to a close word that is far more frequent in training, if there is one.

        The training data has typos of its own ("forein" 4 times, "foreign" 28 times), so being
        in the vocabulary is not enough to count as correctly spelt. No language (undecidable)
        means the languages the word is a word of, else all; a language without training data
        leaves the word alone.
        """
        if len(word) < self.min_length:
            return word
        if languages and not any(lang in self.vocabularies for lang in languages):
            return word  # a language without training data: nothing to correct towards
        languages = tuple(sorted(lang for lang in languages if lang in self.vocabularies))
        if not languages:  # undecidable: the word's own languages, else all of them
            languages = tuple(
                sorted(
                    lang
                    for lang, words in self.vocabularies.items()
                    if words.get(word, 0) >= self.min_count
                )
                or sorted(self.vocabularies)
            )
        elif self._known_elsewhere(word, languages):
            return word  # "universitet" is Azerbaijani, even if the detector said Turkish
        counts, targets = self._merged(languages)
        count = counts.get(word, 0)
        candidates = difflib.get_close_matches(word, targets, n=5, cutoff=self.cutoff)
        better = [
            c
            for c in candidates
            if c != word and counts[c] >= max(self.min_count, self.dominance * count)
        ]
        if not better:
            return word
        return max(
            better, key=lambda c: (difflib.SequenceMatcher(None, word, c).ratio(), counts[c])
        )

    def normalise(
        self,
        text: str,
        languages: Sequence[str] = (),
        protected: Iterable[Tuple[int, int]] = (),
        fold: bool = False,
    ) -> str:
        """The text lower-cased with misspelt words corrected; protected spans (entities) are
        left as typed. `fold` drops accents and special letters first ("tələbə" -> "telebe"),
        so a word typed with and without them is the same word to the classifier."""
        protected = list(protected)
        languages = tuple(languages)

        def fix(match: re.Match) -> str:
            if any(start <= match.start() < end for start, end in protected):
                return match.group(0)
            word = lower(match.group(0))
            return self.correct(strip_accents(word) if fold else word, languages)

        return LETTERS.sub(fix, text)


def vocabularies(messages: Iterable[Message], fold: bool = False) -> Dict[str, Dict[str, int]]:
    """language -> word -> how often it occurs in that language's training examples."""
    counts: Dict[str, Counter] = {}
    for message in messages:
        words = (lower(w) for w in LETTERS.findall(message.get(TEXT) or ""))
        counts.setdefault(example_language(message), Counter()).update(
            strip_accents(w) if fold else w for w in words
        )
    return {lang: dict(c) for lang, c in counts.items()}


def text_for_features(message: Message) -> str:
    """What featurizers and classifiers should read: the corrected text when there is one."""
    return message.get(NORMALIZED_TEXT) or message.get(TEXT) or ""


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class TypoNormalizer(JsonStateComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # min_count: a word must occur this often in training to be a correction target.
        # cutoff: difflib similarity needed to correct ("forein" -> "foreign" is 0.92).
        # dominance: how much more frequent the correction must be than the word itself.
        # fold: compare and classify words without accents and special letters (ə ı ş ğ ç ö ü).
        # Folding measured by bot/offline/crossval.py: az 0.84 -> 0.90, tr 0.88 -> 0.90 weighted
        # F1 (5 folds, n-gram model), English unchanged.
        return {"min_count": 2, "min_length": 3, "cutoff": 0.8, "dominance": 3, "fold": True}

    def restore(self, state: Dict[str, Any]) -> None:
        self.vocabularies: Dict[str, Dict[str, int]] = state.get("vocabularies", {})
        self.speller = Speller(
            self.vocabularies,
            min_count=self.config["min_count"],
            min_length=self.config["min_length"],
            cutoff=self.config["cutoff"],
            dominance=self.config["dominance"],
        )

    def state(self) -> Dict[str, Any]:
        return {"vocabularies": self.vocabularies}

    def train(self, training_data: TrainingData) -> Resource:
        fold = self.config["fold"]
        self.restore({"vocabularies": vocabularies(training_data.training_examples, fold)})
        return self.persist()

    def normalise(
        self, text: str, protected: Iterable[Tuple[int, int]] = (), languages: Sequence[str] = ()
    ) -> str:
        """The text with misspelt words corrected; entity spans are left as typed."""
        return self.speller.normalise(text, languages, protected, self.config["fold"])

    def _process(self, messages: List[Message], training: bool = False) -> None:
        if not self.vocabularies:
            return
        for message in messages:
            text = message.get(TEXT)
            if text:
                languages = (example_language(message),) if training else message_languages(message)
                spans = [
                    (e["start"], e["end"]) for e in message.get(ENTITIES) or [] if "start" in e
                ]
                message.set(NORMALIZED_TEXT, self.normalise(text, spans, languages))
                for part in (
                    message.get(QUESTION_PARTS) or []
                ):  # bot/rasa_server/nlu/question_parts.py
                    inside = [(s - part["start"], e - part["start"]) for s, e in spans]
                    part[NORMALIZED_TEXT] = self.normalise(part["text"], inside, languages)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._process(training_data.training_examples, training=True)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        self._process(messages)
        return messages
