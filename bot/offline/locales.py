"""Build step for the reply catalogues: extract the sentence frames marked with `_`/`n_` (and
domain.yml's responses), keep each language's .po files in step, check them, compile them.

One domain per source module (`bot.answers.exchange`), so people translating different modules
never edit the same file. Checked: every frame the code uses has a translation, not fuzzy, with
the same {placeholders} as the English (a translation that drops `{country}` would lose a fact).
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Dict, Iterable, List

import yaml
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from bot.i18n.catalogues import COMPILED, LOCALE_SOURCES
from bot.paths import ROOT

TRANSLATED = ("az", "ru", "tr")  # every frame is translated into these (English is the source)
SOURCE_FOLDERS = ("bot", "actions")
KEYWORDS = {"_": None, "n_": (1, 2)}
RESPONSES_DOMAIN = "domain"


def _domain_of(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _python_messages(path: Path) -> List[tuple]:
    found = extract_from_file("python", str(path), keywords=KEYWORDS)
    return [(lineno, message) for lineno, message, _comments, _context in found]


def _response_messages() -> List[tuple]:
    """domain.yml's response texts and button titles (translated by bot/rasa_server/nlg.py)."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    found = []
    for variations in (domain.get("responses") or {}).values():
        for variation in variations:
            if variation.get("text"):
                found.append((0, variation["text"]))
            found.extend((0, button["title"]) for button in variation.get("buttons") or [])
    return found


def templates() -> Dict[str, Catalog]:
    """domain -> the English catalogue the code and domain.yml use today."""
    found: Dict[str, Catalog] = {}
    sources = [p for folder in SOURCE_FOLDERS for p in sorted((ROOT / folder).rglob("*.py"))]
    for path in sources:
        messages = _python_messages(path)
        if messages:
            found[_domain_of(path)] = _catalog(messages, _domain_of(path))
    responses = _response_messages()
    if responses:
        found[RESPONSES_DOMAIN] = _catalog(responses, RESPONSES_DOMAIN)
    return found


def _catalog(messages: Iterable[tuple], domain: str, locale: str | None = None) -> Catalog:
    catalog = Catalog(locale=locale, domain=domain, project="beu-assistant")
    for lineno, message in messages:
        catalog.add(message, locations=[(domain, lineno)] if lineno else ())
    return catalog


def po_path(language: str, domain: str) -> Path:
    return LOCALE_SOURCES / language / "LC_MESSAGES" / f"{domain}.po"


def read_catalog(path: Path, language: str) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def update(languages: Iterable[str] = TRANSLATED) -> List[Path]:
    """Add new frames (untranslated) and drop unused ones in every .po file (returns them)."""
    written = []
    for domain, template in templates().items():
        for language in languages:
            path = po_path(language, domain)
            if path.exists():
                catalog = read_catalog(path, language)
                catalog.update(template, no_fuzzy_matching=True)
                catalog.obsolete.clear()
            else:
                catalog = Catalog(locale=language, domain=domain, project="beu-assistant")
                catalog.update(template, no_fuzzy_matching=True)
            catalog.fuzzy = False  # a fuzzy header would drop Plural-Forms from the .mo
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as handle:
                write_po(handle, catalog, width=100, omit_header=False, no_location=True)
            written.append(path)
    return written


def _placeholders(text: str) -> set:
    try:
        return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    except ValueError:
        return {"<malformed>"}


def problems(languages: Iterable[str] = TRANSLATED) -> List[str]:
    """Every frame the code uses that some language lacks, leaves fuzzy or gets wrong."""
    found: List[str] = []
    for domain, template in templates().items():
        for language in languages:
            path = po_path(language, domain)
            catalog = read_catalog(path, language) if path.exists() else Catalog(locale=language)
            for message in template:
                if not message.id:
                    continue
                translated = catalog.get(message.id)
                where = f"{path.relative_to(ROOT)}: {str(message.id)[:60]!r}"
                strings = translated.string if translated is not None else None
                forms = list(strings) if isinstance(strings, (list, tuple)) else [strings]
                if translated is None or not all(forms):
                    found.append(f"{where}: no translation")
                elif translated.fuzzy:
                    found.append(f"{where}: fuzzy (needs review)")
                else:
                    ids = message.id if isinstance(message.id, (list, tuple)) else [message.id]
                    wanted = set().union(*(_placeholders(i) for i in ids))
                    for form in forms:
                        if _placeholders(form) != wanted:
                            found.append(
                                f"{where}: placeholders {sorted(_placeholders(form))}"
                                f" instead of {sorted(wanted)}"
                            )
    return found


def compile_all() -> int:
    """Every .po under bot/i18n/locales -> build/locale/<lang>/LC_MESSAGES/<domain>.mo."""
    count = 0
    for path in sorted(LOCALE_SOURCES.glob("*/LC_MESSAGES/*.po")):
        language = path.parent.parent.name
        catalog = read_catalog(path, language)
        target = COMPILED / language / "LC_MESSAGES" / path.with_suffix(".mo").name
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        count += 1
    return count
