"""Phrasing helpers for answers in the reply's language: lists, country names, organisations
with their country, tables read in the reply's language, shared by the exchange and project answers.

Lists are bot.i18n.join (Babel's CLDR patterns; British English: "a, b and c").
"""

from __future__ import annotations

from typing import Callable, Dict, Iterable, Iterator, List, Mapping, TypeVar

from bot.answers import base
from bot.i18n import _
from bot.i18n import country_name as localised_country
from bot.language.textfold import strip_accents

T = TypeVar("T")


def alphabetical(names: Iterable[str]) -> List[str]:
    """Sorted as a reader expects, letters with marks among their base letter ("Çekya" with
    the C's, "İtalya" with the I's), not after Z as code points would put them."""
    return sorted(names, key=lambda name: (strip_accents(name).casefold(), name))


def country(code: str) -> str:
    """A country's name in the reply's language, with its canonical English name in brackets."""
    return localised_country(code, base.knowledge().country_name(code))


class Translated(Mapping[str, T]):
    """A module-level table whose values are built when read, so each reads in the reply's
    language (`ROLE["host"]` is "BEU hosts it" in English, "BEU его проводит" in Russian) and
    the frames stay visible to the catalogue extraction as `_()` calls."""

    def __init__(self, build: Dict[str, Callable[[], T]]) -> None:
        self._build = build

    def __getitem__(self, key: str) -> T:
        return self._build[key]()

    def __iter__(self) -> Iterator[str]:
        return iter(self._build)

    def __len__(self) -> int:
        return len(self._build)


def organisation_with_country(name: str, code: str) -> str:
    """ "Heidelberg University (Germany)"; in other languages the frame may avoid brackets inside
    brackets, since the country already carries its English name in them."""
    return _("{organisation} ({country})", organisation=name, country=country(code))
