"""Properties of the knowledge-base query layer (bot/kb/index.py), checked with Hypothesis on
arbitrary text: name resolution never raises, ignores case, accents, punctuation and spacing,
is idempotent, and every canonical name and alias resolves to its own object."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any, Callable, List, Tuple

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from bot.answers import knowledge
from bot.kb.index import PartnerLink, fold

FAST = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)


@lru_cache(maxsize=1)
def index():
    return knowledge()


def labelled() -> List[Tuple[str, str, Any]]:
    """(kind, label, object) for every name the index knows, canonical or alias."""
    k = index()
    out: List[Tuple[str, str, Any]] = []
    for c in k.countries.values():
        out += [("country", label, c) for label in [c.name, *c.aliases, *c.demonyms]]
    for p in k.kb.projects:
        out += [("project", label, p) for label in [p.acronym, p.name, p.id, *p.aliases]]
    for o in k.kb.organisations:
        out += [("organisation", label, o) for label in [o.name, *o.aliases]]
    for s in k.kb.scholarship_support.programmes:
        out += [("scholarship", label, s) for label in [s.name, *s.aliases]]
    return out


LABELS = labelled()


def resolver(kind: str) -> Callable[[str | None], Any]:
    return getattr(index(), kind)


def canonical(kind: str, obj: Any) -> str:
    return obj.acronym if kind == "project" else obj.name


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


any_text = st.text(max_size=200)
a_label = st.sampled_from(LABELS)
kinds = st.sampled_from(["country", "project", "organisation", "scholarship"])
noise = st.text(alphabet=" \t\n.,;:!?()[]\"'-/", max_size=6)


# --- fold, the key every lookup goes through ---------------------------------------------------


@FAST
@given(any_text)
@example("Bragança BRAGANÇA braganca")
@example("\0\ud800\u202e")
def test_fold_is_idempotent_and_normal(text):
    folded = fold(text)
    assert fold(folded) == folded
    assert folded == folded.strip() and "  " not in folded
    assert all(c.isalnum() or c == " " for c in folded)
    assert folded == folded.lower()


@FAST
@given(st.text(alphabet=st.characters(codec="ascii"), max_size=100))
def test_fold_ignores_ascii_case(text):
    assert fold(text.upper()) == fold(text.lower()) == fold(text)


# --- resolution ------------------------------------------------------------------------------


@FAST
@given(kinds, st.one_of(st.none(), any_text))
@example("country", "")
@example("project", "\0")
@example("organisation", "ẞ" * 50)
def test_resolution_never_raises_and_returns_the_right_kind(kind, text):
    found = resolver(kind)(text)
    if found is not None:
        assert any(obj is found for k, _, obj in LABELS if k == kind)


@FAST
@given(kinds, any_text)
def test_resolution_is_idempotent(kind, text):
    found = resolver(kind)(text)
    if found is not None:
        assert resolver(kind)(canonical(kind, found)) is found


def test_every_name_and_alias_resolves_to_its_own_object():
    assert len(LABELS) > 500
    wrong = [
        (kind, label, canonical(kind, obj), resolver(kind)(label))
        for kind, label, obj in LABELS
        if resolver(kind)(label) is not obj or resolver(kind)(canonical(kind, obj)) is not obj
    ]
    assert wrong == []


@FAST
@given(a_label, noise, noise)
def test_resolution_ignores_case_spacing_punctuation_and_accents(entry, before, after):
    kind, label, obj = entry
    for variant in (
        label.upper(),
        label.lower(),
        label.swapcase(),
        f"{before}{label}{after}",
        "  ".join(label.split()),
        strip_accents(label),
    ):
        assert resolver(kind)(variant) is obj, variant


@FAST
@given(a_label, st.data())
def test_a_small_typo_in_a_long_name_never_resolves_to_another_object(entry, data):
    kind, label, obj = entry
    key = fold(label)
    assume(len(key) >= 8)
    position = data.draw(st.integers(0, len(key) - 1))
    typo = key[:position] + key[position + 1 :]  # one letter dropped
    # "Dominican" without its n is "Dominica": a typo that spells another name is that name
    assume(typo not in {fold(other) for k, other, o in LABELS if k == kind and o is not obj})
    found = resolver(kind)(typo)
    assert found is None or found is obj, (typo, found)


@FAST
@given(kinds, st.text(alphabet="0123456789 ", max_size=30))
def test_numbers_and_blanks_resolve_to_nothing(kind, text):
    assume(fold(text) not in {fold(label) for k, label, _ in LABELS if k == kind})
    assert resolver(kind)(text) is None


# --- partner links and projects named by their events ---------------------------------------------


def test_partner_links_are_well_formed_for_every_country():
    linked = 0
    for code in index().countries:
        links = index().partner_links(code)
        linked += bool(links)
        for link in links:
            assert isinstance(link, PartnerLink)
            assert link.kind in {"exchange", "project", "degree", "agency"}
            assert link.label.strip() and link.detail.strip()
        assert len(set(links)) == len(links), f"{code}: a link is listed twice"
    assert linked >= 10, "partner countries have links (sanity)"


@FAST
@given(any_text)
def test_partner_links_for_an_unknown_code_are_empty(code):
    assume(code not in index().countries)
    assert index().partner_links(code) == []


@FAST
@given(st.one_of(st.none(), any_text))
@example("the winter school in India")
def test_project_for_text_never_raises(text):
    found = index().project_for_text(text)
    assert found is None or found in index().kb.projects


@FAST
@given(st.sampled_from(sorted(knowledge()._project_words.items())), noise, noise, st.booleans())
def test_a_distinctive_word_names_its_project_in_any_case(item, before, after, upper):
    word, project_id = item
    text = f"what happened in{before} {word.upper() if upper else word}{after}"
    assert index().project_for_text(text) is index().projects[project_id]


@FAST
@given(st.text(alphabet=st.characters(codec="ascii"), max_size=120))
def test_project_for_text_ignores_ascii_case(text):
    k = index()
    assert k.project_for_text(text.upper()) is k.project_for_text(text.lower())
