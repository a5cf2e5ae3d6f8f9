"""A new version of the source page compared with the facts that cite the current one.

Facts are tied to their sentences by their quotes, so a new page version can say which *fact* it
breaks: a quote that no longer stands is either "changed" (a similar sentence is there, shown
side by side with the old one) or "vanished". Sentences are compared after the same folding as
the quote check (whitespace, curly quotes), and by their presence anywhere in the other version,
so a reordered paragraph, re-wrapped lines or typographic quotes are never flagged.

Pure: no database, no files; the CLI (`python -m bot kb diff`) and the admin call it.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Dict, List, Tuple

from bot.kb.provenance import COVERED_FRACTION, iter_cited, normalise, source_sentences
from bot.kb.schema import Cited, KnowledgeBase
from bot.runtime import without_tensorflow

# Two sentences are "the same sentence, edited" from this similarity on (difflib ratio of the
# lower-cased, folded sentences). A changed figure or name scores > 0.85; an unrelated sentence
# of the same page rarely above 0.5.
SIMILAR_RATIO = 0.6


@dataclass(frozen=True)
class QuoteChange:
    """One quote of a fact that no longer stands in the new version."""

    quote: str
    old_sentence: str  # the sentence(s) of the current version the quote is part of
    new_sentence: str | None  # the most similar sentence of the new version; None: vanished
    suggested_quote: str | None  # the quote as the new sentence words it (staff check it)
    similarity: float


@dataclass(frozen=True)
class FactChange:
    """A fact at least one of whose quotes no longer stands: listed once, with each such quote."""

    path: str
    kind: str
    quotes: Tuple[QuoteChange, ...]

    @property
    def vanished(self) -> bool:
        return all(change.new_sentence is None for change in self.quotes)


@dataclass(frozen=True)
class PageDiff:
    source: str
    changed: List[FactChange] = field(default_factory=list)
    vanished: List[FactChange] = field(default_factory=list)
    new_sentences: List[str] = field(default_factory=list)  # in the new version only, uncited
    unchanged: List[str] = field(default_factory=list)  # in both versions
    # Edited sentences whose facts' quotes still stand: nothing to resolve, shown for the record.
    rewritten: List[str] = field(default_factory=list)
    # Sentences of the current version that are gone and that no fact cited.
    removed_sentences: List[str] = field(default_factory=list)

    @property
    def flagged(self) -> List[FactChange]:
        """Every fact staff must resolve, in page order."""
        return [*self.changed, *self.vanished]

    @property
    def identical(self) -> bool:
        return not (self.flagged or self.new_sentences or self.rewritten or self.removed_sentences)

    def to_dict(self) -> Dict[str, object]:
        return {
            "source": self.source,
            "changed": [_fact_dict(f) for f in self.changed],
            "vanished": [_fact_dict(f) for f in self.vanished],
            "new_sentences": list(self.new_sentences),
            "unchanged": list(self.unchanged),
            "rewritten": list(self.rewritten),
            "removed_sentences": list(self.removed_sentences),
        }


def _fact_dict(change: FactChange) -> Dict[str, object]:
    return {"path": change.path, "kind": change.kind, "quotes": [asdict(q) for q in change.quotes]}


@lru_cache(maxsize=1)
def _load_sentencizer() -> None:
    """Load spaCy's sentencizer once without TensorFlow, which thinc would import for nothing
    (seconds, and the web app's memory); later calls leave sys.modules alone."""
    with without_tensorflow():
        source_sentences("Loaded.")


@dataclass(frozen=True)
class _Version:
    """One page version: its lines folded (for sentence offsets) and its whole text folded (for
    "does this sentence/quote stand anywhere in it")."""

    lines: str
    flat: str
    sentences: List[Tuple[int, int]]

    @classmethod
    def of(cls, raw: str) -> _Version:
        lines = "\n".join(normalise(line) for line in raw.splitlines())
        _load_sentencizer()
        return cls(lines, normalise(raw), source_sentences(lines))

    def text(self, span: Tuple[int, int]) -> str:
        return self.lines[span[0] : span[1]]

    def contains(self, text: str) -> bool:
        return normalise(text) in self.flat


def _quote_pattern(quote: str) -> re.Pattern:
    # Quotes are on one line in kb.yml but may span a line break of the source.
    return re.compile(re.escape(normalise(quote)).replace(r"\ ", r"\s"))


def _similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a.lower(), b.lower(), autojunk=False).ratio()


def _map_span(old: str, new: str, start: int, end: int) -> str:
    """The part of `new` that corresponds to old[start:end], widened to whole words."""
    opcodes = SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    new_start, new_end = 0, len(new)
    for tag, i1, i2, j1, _ in opcodes:
        if i1 <= start < i2:
            new_start = j1 + (start - i1) if tag == "equal" else j1
            break
    for tag, i1, i2, j1, j2 in opcodes:
        if i1 < end <= i2:
            new_end = j1 + (end - i1) if tag == "equal" else j2
            break
    while new_start > 0 and new[new_start - 1].isalnum():
        new_start -= 1
    while new_end < len(new) and new[new_end].isalnum():
        new_end += 1
    return new[new_start:new_end].strip()


def _facts_of(kb: KnowledgeBase, source: str) -> List[Tuple[str, Cited]]:
    return [(p, f) for p, f in iter_cited(kb) if (f.source or kb.document.file) == source]


def _coverage(text: str, quotes: List[str]) -> bytearray:
    covered = bytearray(len(text))
    for quote in quotes:
        for match in _quote_pattern(quote).finditer(text):
            covered[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
    return covered


def _cited_fraction(covered: bytearray, text: str, span: Tuple[int, int]) -> float:
    letters = [i for i in range(*span) if text[i].isalnum()]
    return sum(covered[i] for i in letters) / len(letters) if letters else 1.0


def _follow_quote(
    quote: str,
    match: re.Match,
    spans: List[Tuple[int, int]],
    old: _Version,
    new: _Version,
    fresh_texts: List[str],
) -> Tuple[QuoteChange, List[int]]:
    """Where a quote that no longer stands went: each of its sentences that is gone is paired
    with the most similar sentence new in this version (a quote may span two sentences, only
    one of them edited). Returns the change and the indices of the fresh sentences it used."""
    new_parts, used, scores = [], [], []
    for span in spans:
        text = old.text(span)
        if new.contains(text):
            new_parts.append(text)
            continue
        ratios = [_similarity(text, candidate) for candidate in fresh_texts]
        best = max(range(len(ratios)), key=ratios.__getitem__, default=None)
        score = ratios[best] if best is not None else 0.0
        scores.append(score)
        if best is not None and score >= SIMILAR_RATIO:
            used.append(best)
            new_parts.append(fresh_texts[best])
    # The old sentences as one line (a line break counts as a space, so offsets stay exact).
    old_sentence = old.lines[spans[0][0] : spans[-1][1]].replace("\n", " ")
    similarity = round(min(scores) if used else max(scores, default=0.0), 3)
    if not used:
        return QuoteChange(quote, old_sentence, None, None, similarity), []
    new_sentence = " ".join(new_parts)
    offset = match.start() - spans[0][0]
    suggested = _map_span(old_sentence, new_sentence, offset, match.end() - spans[0][0])
    return QuoteChange(quote, old_sentence, new_sentence, suggested or None, similarity), used


def diff_page(
    kb: KnowledgeBase, old_text: str, new_text: str, source: str | None = None
) -> PageDiff:
    """Compare the new version of `source` (default: the document's file) with the current one,
    through the facts of `kb` that cite it."""
    source = source or kb.document.file
    old, new = _Version.of(old_text), _Version.of(new_text)
    # Sentences of the new version that are not in the current one: where an edited quote went.
    fresh = [span for span in new.sentences if not old.contains(new.text(span))]
    fresh_texts = [new.text(span) for span in fresh]

    flagged: List[Tuple[int, FactChange]] = []
    paired: set = set()
    old_spans_of_flagged: set = set()
    facts = _facts_of(kb, source)
    for path, fact in facts:
        changes, first = [], len(old.lines)
        for quote in fact.quote:
            if new.contains(quote):
                continue
            match = _quote_pattern(quote).search(old.lines)
            if match is None:  # not in the current version either: nothing to compare it with
                changes.append(QuoteChange(quote, normalise(quote), None, None, 0.0))
                continue
            first = min(first, match.start())
            spans = [s for s in old.sentences if s[0] < match.end() and match.start() < s[1]]
            old_spans_of_flagged.update(spans)
            change = _follow_quote(quote, match, spans, old, new, fresh_texts)
            paired.update(change[1])
            changes.append(change[0])
        if changes:
            flagged.append((first, FactChange(path, type(fact).__name__, tuple(changes))))
    flagged.sort(key=lambda item: item[0])  # page order; sorted() is stable for ties (kb order)

    standing = [q for _, fact in facts for q in fact.quote if new.contains(q)]
    covered = _coverage(new.lines, standing)
    non_factual = {normalise(n.text) for n in kb.non_factual}
    new_sentences, rewritten = [], []
    for index, span in enumerate(fresh):
        text = fresh_texts[index]
        if index in paired or text in non_factual:
            continue
        if _cited_fraction(covered, new.lines, span) >= COVERED_FRACTION:
            rewritten.append(text)
        else:
            new_sentences.append(text)
    unchanged = [new.text(s) for s in new.sentences if old.contains(new.text(s))]
    removed = [
        old.text(s)
        for s in old.sentences
        if s not in old_spans_of_flagged
        and not new.contains(old.text(s))
        and old.text(s) not in non_factual
    ]
    return PageDiff(
        source=source,
        changed=[f for _, f in flagged if not f.vanished],
        vanished=[f for _, f in flagged if f.vanished],
        new_sentences=new_sentences,
        unchanged=unchanged,
        rewritten=rewritten,
        removed_sentences=removed,
    )


def format_report(diff: PageDiff) -> str:
    """The report as operators read it in a terminal (`python -m bot kb diff FILE`)."""
    out = [f"Page diff of {diff.source}"]
    out.append(
        f"{len(diff.changed)} fact(s) changed, {len(diff.vanished)} vanished, "
        f"{len(diff.new_sentences)} new sentence(s) no fact cites, "
        f"{len(diff.unchanged)} sentence(s) unchanged"
    )
    if diff.changed:
        out.append("\nCHANGED (a similar sentence is in the new version):")
        for fact in diff.changed:
            out.append(f"  {fact.path} ({fact.kind})")
            for change in fact.quotes:
                out.append(f"    quote: {change.quote}")
                out.append(f"      old: {change.old_sentence}")
                if change.new_sentence is None:
                    out.append("      new: (gone; no similar sentence)")
                else:
                    out.append(f"      new: {change.new_sentence}  [{change.similarity:.0%}]")
                    if change.suggested_quote:
                        out.append(f"      suggested quote: {change.suggested_quote}")
    if diff.vanished:
        out.append("\nVANISHED (no similar sentence in the new version):")
        for fact in diff.vanished:
            out.append(f"  {fact.path} ({fact.kind})")
            for change in fact.quotes:
                out.append(f"    quote: {change.quote}")
                out.append(f"      old: {change.old_sentence}")
    for title, sentences in (
        ("NEW SENTENCES no fact cites", diff.new_sentences),
        ("REWRITTEN around quotes that still stand (nothing to resolve)", diff.rewritten),
        ("REMOVED sentences no fact cited", diff.removed_sentences),
        ("UNCHANGED", diff.unchanged),
    ):
        if sentences:
            out.append(f"\n{title}:")
            out.extend(f"  {sentence}" for sentence in sentences)
    if diff.identical:
        out.append("\nThe new version says the same as the current one.")
    return "\n".join(out)
