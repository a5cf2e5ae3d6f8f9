"""Provenance: every quote must stand in its source, and every factual sentence must be cited.

Quotes are compared after folding whitespace and typographic quote marks, because the page mixes
double spaces and curly quotes that carry no meaning; everything else must match letter for letter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator, List, Tuple

from pydantic import BaseModel

from bot.kb.schema import Cited, KnowledgeBase

_TYPOGRAPHIC = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
COVERED_FRACTION = 0.8  # a sentence counts as cited when quotes span this share of its letters


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(_TYPOGRAPHIC)).strip()


def iter_cited(node: object, path: str = "") -> Iterator[Tuple[str, Cited]]:
    """Every fact in the knowledge base, with a readable path for error messages."""
    if isinstance(node, Cited):
        yield path, node
    if isinstance(node, BaseModel):
        for name in node.__fields__:
            yield from iter_cited(getattr(node, name), f"{path}.{name}" if path else name)
    elif isinstance(node, (list, tuple)):
        for index, item in enumerate(node):
            label = getattr(item, "id", None) or index
            yield from iter_cited(item, f"{path}[{label}]")


@dataclass(frozen=True)
class MissingQuote:
    path: str
    quote: str
    source: str

    def __str__(self) -> str:
        return f"{self.path}: quote not found in {self.source}: {self.quote!r}"


def missing_quotes(kb: KnowledgeBase, sources: dict) -> List[MissingQuote]:
    """Quotes that no longer appear in their source (the source or the quote was edited)."""
    problems = []
    for path, fact in iter_cited(kb):
        source = fact.source or kb.document.file
        text = sources.get(source)
        for quote in fact.quote:
            if text is None or normalise(quote) not in text:
                problems.append(MissingQuote(path, quote, source))
    return problems


@lru_cache(maxsize=1)
def _sentencizer():
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def source_sentences(text: str) -> List[Tuple[int, int]]:
    """(start, end) offsets of the sentences of a normalised source: lines first, then spaCy."""
    spans = []
    offset = 0
    for line in re.split(r"(?<=\n)", text):
        stripped = line.strip()
        if stripped:
            base = offset + line.index(stripped)
            for sent in _sentencizer()(stripped).sents:
                if len(re.findall(r"[A-Za-z]", sent.text)) >= 3:
                    spans.append((base + sent.start_char, base + sent.end_char))
        offset += len(line)
    return spans


@dataclass(frozen=True)
class Uncited:
    sentence: str
    fraction: float

    def __str__(self) -> str:
        return f"{self.fraction:4.0%} cited: {self.sentence}"


def uncited_sentences(
    kb: KnowledgeBase, raw_source: str, source_name: str | None = None
) -> List[Uncited]:
    """Factual sentences of a source that no quote covers (the coverage report)."""
    source_name = source_name or kb.document.file
    lines = [normalise(line) for line in raw_source.splitlines()]
    text = "\n".join(lines)
    covered = bytearray(len(text))
    for _, fact in iter_cited(kb):
        if (fact.source or kb.document.file) != source_name:
            continue
        for quote in fact.quote:
            _mark(covered, text, normalise(quote))
    skipped = {normalise(n.text) for n in kb.non_factual}
    report = []
    for start, end in source_sentences(text):
        sentence = text[start:end]
        if sentence in skipped:
            continue
        letters = [i for i in range(start, end) if text[i].isalnum()]
        fraction = sum(covered[i] for i in letters) / len(letters)
        if fraction < COVERED_FRACTION:
            report.append(Uncited(sentence, fraction))
    return report


def _mark(covered: bytearray, text: str, quote: str) -> None:
    # Quotes are on one line in kb.yml but may span a line break of the source.
    pattern = re.escape(quote).replace(r"\ ", r"\s")
    for match in re.finditer(pattern, text):
        covered[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
