"""`make kb` (`python -m bot kb`): validate knowledge/ against its source, report what no fact
cites and what is due for review (facts, and their translations in knowledge/translations/), and
generate the NLU artefacts (Rasa data, spaCy patterns).

It does not load TensorFlow (`bot.runtime.without_tensorflow()`, around the build).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys


def build(args: argparse.Namespace) -> int:
    """Validate knowledge/, report uncited source sentences, and generate the NLU artefacts."""
    # The build reads knowledge/, never a staff database's live copy (that is `kb export`'s job).
    os.environ["BEU_KB_SOURCE"] = "files"
    from bot import paths
    from bot.kb.load import KnowledgeError, load_countries, load_kb
    from bot.kb.provenance import iter_cited, uncited_sentences
    from bot.offline.generate import write_local_names, write_rasa_data, write_spacy_pipeline
    from bot.offline.vocabulary import build_vocabulary

    try:
        countries = load_countries()
        kb = load_kb(countries=countries)
    except KnowledgeError as error:
        print(f"Knowledge base is invalid.\n{error}", file=sys.stderr)
        return 1
    facts = list(iter_cited(kb))
    print(f"knowledge base valid: {len(facts)} facts, every quote found in its source")
    source = (paths.SOURCES / kb.document.file).read_text(encoding="utf-8")
    uncited = uncited_sentences(kb, source)
    if uncited:
        print(f"coverage: {len(uncited)} factual source sentence(s) no fact cites:")
        for item in uncited:
            print(f"  {item}")
    else:
        print("coverage: every factual sentence of the source is cited by a fact")
    overdue = [
        f"  {path} (review by {fact.review_by})"
        for path, fact in facts
        if fact.review_by and fact.review_by < dt.date.today()
    ]
    if kb.document.review_by and kb.document.review_by < dt.date.today():
        overdue.insert(0, f"  the whole document (review by {kb.document.review_by})")
    if overdue:
        print("due for review (still served, flagged here for staff):")
        print("\n".join(overdue))
    if not _report_translations(kb):
        return 1
    from bot.offline.locales import compile_all

    print(f"compiled {compile_all()} reply catalogue(s) into build/locale/")
    vocabulary = build_vocabulary(kb, countries)
    data = write_rasa_data(vocabulary)
    pipeline = write_spacy_pipeline(vocabulary)
    local = write_local_names(vocabulary)
    forms = sum(len(e.forms) + len(e.case_sensitive) for e in vocabulary)
    local_forms = sum(len(e.local_forms) for e in vocabulary)
    print(
        f"generated {data.relative_to(paths.ROOT)} and {pipeline.relative_to(paths.ROOT)}/ "
        f"({len(vocabulary)} entity values, {forms} surface forms), "
        f"{local.relative_to(paths.ROOT)} ({local_forms} az/ru/tr forms)"
    )
    _write_fact_vectors()
    return 1 if uncited and not args.allow_uncited else 0


def _report_translations(kb) -> bool:
    """Staff's review list for the facts' translations (stale, unreviewed, missing); False, with
    the file and field named, when a translation file breaks its schema."""
    from bot.kb.translations import TranslationError, translation_report
    from bot.offline.locales import TRANSLATED

    try:
        print("\n".join(translation_report(kb, TRANSLATED)))
    except TranslationError as error:
        print(f"Translations are invalid.\n{error}", file=sys.stderr)
        return False
    return True


def _write_fact_vectors() -> None:
    """The facts' embeddings for fact retrieval (bot/understanding/facts.py), into build/. Only
    facts whose text changed since the last build are embedded again."""
    import time

    from bot import paths
    from bot.understanding.facts import write_vectors

    started = time.perf_counter()
    index = write_vectors()
    print(
        f"fact vectors: {len(index.docs)} facts in {paths.BUILD.name}/, "
        f"{index.embedded_now} text(s) embedded now ({time.perf_counter() - started:.1f} s)"
    )
