"""Field-level checks for FAQ entries, reported all at once as field -> message.

The admin form shows each message next to its field, so every problem is collected rather than
stopping at the first. Nothing here touches the network: a link is judged by its shape only,
as a browser would see it (bot/links.py: schemes https, http, mailto, tel; the channels apply
the same rule again when they show an answer).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Dict, Iterable, List, Mapping, Tuple

from bot.links import browser_url, link_problems, url_problem

MAX_ANSWER = 1000
MAX_QUESTION = 300  # the normalised question is a unique key; keep it index-sized
MAX_TAG = 50
MAX_NAME = 100
STATES = ("draft", "published")
TRANSLATION_LANGUAGES = ("az", "ru", "tr")  # English is the entry itself


class ValidationError(ValueError):
    """Field -> message for every problem found; nothing was written."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors: Dict[str, str] = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


@dataclass
class FaqDraft:
    """What staff submit for an entry: the content, without id/version/timestamps."""

    question: str
    answer: str
    phrasings: List[str] = field(default_factory=list)
    tags: List[str] = field(default_factory=list)
    fact_ref: str | None = None
    source_url: str | None = None
    owner: str = ""
    as_of: dt.date | None = None
    review_by: dt.date | None = None
    state: str = "draft"
    # The entry in other languages: {"ru": {"question": ..., "phrasings": [...], "answer": ...}}
    translations: Dict[str, Dict[str, Any]] = field(default_factory=dict)


def normalise_question(text: str) -> str:
    """Key under which two questions count as the same: case, spacing, final ?/!/. ignored."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(text.split()).rstrip("?!. ").strip()


def _bad_url(url: str) -> str | None:
    """Why `url` is not an absolute http(s) link with a host (a source page), or None."""
    if url.lower().startswith("www."):
        url = "http://" + url
    problem = url_problem(url)
    if problem is None and not browser_url(url).lower().startswith("http"):
        return f"link {url!r} is not a web page: use a full https:// address"
    return problem


def kb_fact_ids() -> frozenset:
    """Ids of the knowledge base's facts: the paths `make kb` reports, e.g. 'projects[promig]'.

    Of the live knowledge base where this process answers from one (bot/kb/live.py: the admin
    may cite a fact staff added a minute ago), else of kb.yml, cached per modification time so a
    long-running tool sees edits to it.
    """
    from bot import paths
    from bot.kb import live

    index = live.loaded()
    if index is not None:
        return _live_fact_ids(index)
    return _fact_ids(paths.KB_FILE.stat().st_mtime_ns)


@lru_cache(maxsize=1)
def _live_fact_ids(index: object) -> frozenset:
    from bot.kb.provenance import iter_cited

    return frozenset(path for path, _ in iter_cited(index.kb))  # type: ignore[attr-defined]


@lru_cache(maxsize=1)
def _fact_ids(_stamp: int) -> frozenset:
    from bot.kb.load import load_kb
    from bot.kb.provenance import iter_cited

    return frozenset(path for path, _ in iter_cited(load_kb()))


def _strings(value: object) -> bool:
    return isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)


def _check_text(errors: Dict[str, str], draft: FaqDraft) -> None:
    if not isinstance(draft.question, str):
        errors["question"] = "the question must be text"
    elif not draft.question.strip():
        errors["question"] = "the question is empty"
    elif len(draft.question.strip()) > MAX_QUESTION:
        errors["question"] = f"the question is over {MAX_QUESTION} characters"
    if not isinstance(draft.answer, str):
        errors["answer"] = "the answer must be text"
    elif not draft.answer.strip():
        errors["answer"] = "the answer is empty"
    elif len(draft.answer.strip()) > MAX_ANSWER:
        errors["answer"] = (
            f"the answer is {len(draft.answer.strip())} characters; the limit is {MAX_ANSWER}"
        )
    elif link_problems(draft.answer):
        errors["answer"] = "broken link: " + "; ".join(link_problems(draft.answer))
    if draft.source_url is not None:
        problem = _bad_url(draft.source_url.strip()) if isinstance(draft.source_url, str) else ""
        if problem is not None:
            errors["source_url"] = f"broken link: {problem or 'not text'}"
    if not isinstance(draft.owner, str) or not draft.owner.strip():
        errors["owner"] = "say who owns this answer (a person or team)"
    elif len(draft.owner.strip()) > MAX_NAME:
        errors["owner"] = f"the owner is over {MAX_NAME} characters"


def _check_lists(errors: Dict[str, str], draft: FaqDraft) -> None:
    if not _strings(draft.phrasings):
        errors["phrasings"] = "phrasings must be a list of texts"
    else:
        keys = [normalise_question(p) for p in draft.phrasings]
        own = normalise_question(draft.question) if isinstance(draft.question, str) else ""
        if any(not k for k in keys):
            errors["phrasings"] = "a phrasing is empty"
        elif any(len(p.strip()) > MAX_QUESTION for p in draft.phrasings):
            errors["phrasings"] = f"a phrasing is over {MAX_QUESTION} characters"
        elif len(set(keys)) != len(keys):
            errors["phrasings"] = "the same phrasing is listed twice"
        elif own and own in keys:
            errors["phrasings"] = "a phrasing repeats the question itself"
    if not _strings(draft.tags):
        errors["tags"] = "tags must be a list of texts"
    elif any(not t.strip() or len(t) > MAX_TAG for t in draft.tags):
        errors["tags"] = f"tags must be non-empty and at most {MAX_TAG} characters"
    elif len({t.strip().casefold() for t in draft.tags}) != len(draft.tags):
        errors["tags"] = "the same tag is listed twice"


def _check_translations(errors: Dict[str, str], draft: FaqDraft) -> None:
    """Each version has a question and an answer, within the entry's own limits."""
    if not isinstance(draft.translations, dict):
        errors["translations"] = "translations must map a language to its version"
        return
    for language, version in draft.translations.items():
        where = f"translations.{language}"
        if language not in TRANSLATION_LANGUAGES:
            errors[where] = f"unknown language {language!r}; use {', '.join(TRANSLATION_LANGUAGES)}"
            continue
        if not isinstance(version, dict):
            errors[where] = "a version has a question, phrasings and an answer"
            continue
        unknown = set(version) - {"question", "phrasings", "answer"}
        if unknown:
            errors[where] = f"unknown field(s): {', '.join(sorted(unknown))}"
            continue
        found: Dict[str, str] = {}
        _check_text(found, FaqDraft(
            question=version.get("question", ""), answer=version.get("answer", ""),
            owner=draft.owner if isinstance(draft.owner, str) and draft.owner.strip() else "-",
        ))  # fmt: skip
        phrasings = version.get("phrasings", [])
        if not _strings(phrasings) or any(not p.strip() for p in phrasings):
            found["phrasings"] = "phrasings must be a list of non-empty texts"
        for name, message in found.items():
            errors[f"{where}.{name}"] = message


def _check_meta(
    errors: Dict[str, str], draft: FaqDraft, known_fact_ids: Callable[[], Iterable[str]]
) -> None:
    if draft.state not in STATES:
        errors["state"] = f"unknown state {draft.state!r}; use one of {', '.join(STATES)}"
    for name in ("as_of", "review_by"):
        value = getattr(draft, name)
        if value is not None and (not isinstance(value, dt.date) or isinstance(value, dt.datetime)):
            errors[name] = "must be a date (YYYY-MM-DD)"
    dates_ok = "as_of" not in errors and "review_by" not in errors
    if dates_ok and draft.as_of and draft.review_by and draft.review_by < draft.as_of:
        errors["review_by"] = f"review date {draft.review_by} is before as-of {draft.as_of}"
    if draft.fact_ref is None:
        return
    try:
        known = set(known_fact_ids())
    except (OSError, ValueError) as error:  # KnowledgeError is a ValueError
        errors["fact_ref"] = f"cannot check: the knowledge base does not load ({error})"
        return
    if not isinstance(draft.fact_ref, str) or draft.fact_ref not in known:
        errors["fact_ref"] = f"{draft.fact_ref!r} is not a fact id in the knowledge base"


def check_duplicates(
    draft: FaqDraft, others: Iterable[Tuple[str, Iterable[str]]]
) -> Dict[str, str]:
    """Question/phrasings that another entry already uses (its question or one of its phrasings).

    `others` is (question, phrasings) of every *other* entry.
    """
    taken: Dict[str, str] = {}
    for question, phrasings in others:
        for text in [question, *phrasings]:
            taken.setdefault(normalise_question(text), question)
    errors: Dict[str, str] = {}
    if isinstance(draft.question, str):
        clash = taken.get(normalise_question(draft.question))
        if clash is not None:
            errors["question"] = f"duplicate question: another entry already asks {clash!r}"
    if _strings(draft.phrasings):
        for phrasing in draft.phrasings:
            clash = taken.get(normalise_question(phrasing))
            if clash is not None:
                errors["phrasings"] = f"phrasing {phrasing!r} duplicates the entry {clash!r}"
                break
    return errors


def validate(
    draft: FaqDraft,
    others: Iterable[Tuple[str, Iterable[str]]] = (),
    known_fact_ids: Callable[[], Iterable[str]] | None = None,
) -> None:
    """Raise `ValidationError` listing every problem of `draft`; return quietly when none."""
    errors: Dict[str, str] = {}
    _check_text(errors, draft)
    _check_lists(errors, draft)
    _check_translations(errors, draft)
    _check_meta(errors, draft, known_fact_ids or kb_fact_ids)
    for name, message in check_duplicates(draft, others).items():
        errors.setdefault(name, message)
    if errors:
        raise ValidationError(errors)
