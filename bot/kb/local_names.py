"""Country names in Azerbaijani, Russian and Turkish: written once, from CLDR (Babel), and used
by both the EntityRuler build (every form a student may type) and the replies
(`bot.i18n.country_name`).

Nothing here is a hand-written list of names. Per country and language:
- the CLDR territory name (`babel.Locale(lang).territories[code]`): "Польша", "Polonya", "Polşa";
- its case forms, by rule: Russian declension (bot/language/russian.py: "в Польше", "из Ирана")
  and Turkish/Azerbaijani suffixes (bot/language/turkic.py: "Polonya'da", "Polşadan",
  "İranlıyam"), with an apostrophe, a curly apostrophe, a hyphen or nothing before the suffix;
- nationality words from the country's language: the language whose English CLDR name is one of
  the country's English demonyms in knowledge/reference/countries.yml ("Polish" -> pl) gives
  "польский"/"польских"... (Russian adjective forms), "Leh"/"Lehim" (Turkish, the language name
  without "-çe"), "polyak"/"polyakam" (Azerbaijani); and "-stan" countries their people
  ("Казахстан" -> "казах", "Özbekistan" -> "Özbek").

Each form carries what its ending says (`Form.meaning`, from bot.language.turkic: locative,
ablative, "I am from"...), which the role cues read (bot/understanding/roles.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, Iterable, List, Tuple

from bot.kb.schema import CountryList
from bot.language import turkic
from bot.language.russian import adjective_forms, declensions
from bot.language.textfold import strip_accents

LOCAL_LANGUAGES = ("az", "ru", "tr")
SEPARATORS = ("", "'", "’", "-")  # Polonya'da, Polonya’da, Polşa-da, Polşada
NAME = "name"  # the CLDR name itself, or a Russian case form of it
NATIONALITY = "nationality"  # a people or language word ("польский", "Rus", "türk")
# Words that are a country's CLDR name or a rule's output but mostly mean something else:
# "того" (Russian "of that"; Togo), "mali" (Turkish and Azerbaijani "financial"; Mali).
COMMON_WORDS = frozenset({"того", "mali"})
MIN_STEM = 3  # shorter nationality stems are suffixes and particles ("Dan"), not names


@dataclass(frozen=True)
class Form:
    text: str  # as written by CLDR plus the rule's ending ("Polonya'da")
    code: str  # ISO 3166 code
    language: str
    meaning: str  # NAME, NATIONALITY or a bot.language.turkic meaning (LOCATIVE...)


@lru_cache(maxsize=8)
def _territories(language: str) -> Dict[str, str]:
    import babel

    return dict(babel.Locale(language).territories)


def country_name(code: str, language: str) -> str | None:
    """The CLDR name of a country in a language ("PL", "ru" -> "Польша"), None if CLDR has none."""
    try:
        return _territories(language).get(code.upper())
    except (ValueError, LookupError):  # babel.UnknownLocaleError is a ValueError... or not
        return None


def _language_of(countries: CountryList) -> Dict[str, str]:
    """country code -> the language code whose English name is one of its demonyms."""
    import babel

    by_demonym: Dict[str, str] = {}
    for country in countries.countries:
        for demonym in country.demonyms:
            by_demonym.setdefault(demonym.lower(), country.code)
    result: Dict[str, str] = {}
    for language, english in sorted(babel.Locale("en").languages.items()):
        code = by_demonym.get(english.lower())
        if code and "_" not in language and code not in result:
            result[code] = language
    return result


def _stan_people(name: str) -> str | None:
    """The people of a "-stan" country: "Казахстан" -> "Казах", "Özbekistan" -> "Özbek"."""
    lowered = turkic.turkic_lower(name)
    for ending in ("истан", "стан", "istan", "ıstan", "stan"):
        if lowered.endswith(ending) and " " not in name:
            stem = name[: -len(ending)]
            return stem if len(stem) >= 4 else None
    return None


def _nationality_stem(language_name: str, language: str) -> str | None:
    """A language's name as a nationality word: Turkish "Lehçe" -> "Leh", Azerbaijani "polyak"."""
    if " " in language_name:
        return None
    if language == "tr":
        lowered = language_name.lower()
        for ending in ("ça", "çe", "ca", "ce"):
            if lowered.endswith(ending):
                return language_name[:-2]
        return None
    return language_name if language == "az" else None


def _turkic_forms(base: str, code: str, language: str, meaning: str) -> List[Form]:
    forms = [Form(base, code, language, meaning)]
    for name, suffix, suffix_meaning in turkic.case_forms(base, language):
        for separator in SEPARATORS:
            forms.append(Form(name + separator + suffix, code, language, suffix_meaning))
    return forms


def _forms_of(code: str, language: str, spoken: str | None) -> List[Form]:
    name = country_name(code, language)
    if not name:
        return []
    forms: List[Form] = []
    people = _stan_people(name)
    if language == "ru":
        forms += [Form(f, code, language, NAME) for f in declensions(name)]
        if spoken:
            adjective = _territories_language_name(spoken, language)
            if adjective and " " not in adjective:
                forms += [Form(f, code, language, NATIONALITY) for f in adjective_forms(adjective)]
        if people:
            forms.append(Form(people.lower(), code, language, NATIONALITY))
        return forms
    forms += _turkic_forms(name, code, language, NAME)
    stems = [people] if people else []
    if spoken:
        stem = _nationality_stem(_territories_language_name(spoken, language) or "", language)
        if stem and len(stem) >= MIN_STEM:
            stems.append(stem)
    for stem in dict.fromkeys(stems):
        forms.append(Form(stem, code, language, NATIONALITY))
        forms.append(Form(turkic.person_form(stem, language), code, language, turkic.I_AM_FROM))
    return forms


@lru_cache(maxsize=64)
def _territories_language_name(language_code: str, language: str) -> str | None:
    import babel

    return babel.Locale(language).languages.get(language_code)


def local_forms(countries: CountryList) -> List[Form]:
    """Every local form of every country, in a stable order (countries.yml order, then az, ru,
    tr), common words left out."""
    spoken = _language_of(countries)
    forms: List[Form] = []
    for country in countries.countries:
        for language in LOCAL_LANGUAGES:
            for form in _forms_of(country.code, language, spoken.get(country.code)):
                if form.text.lower() not in COMMON_WORDS:
                    forms.append(form)
    return forms


def variants(text: str) -> List[str]:
    """The lower-case ways a form is typed: as lower-cased by Python (what spaCy's LOWER holds,
    "İran" -> "i̇ran"), the Turkish way ("Irak" -> "ırak"), and without special letters
    ("polşada" -> "polsada", "türkiyə" -> "turkiye"; Russian "ё" -> "е")."""
    lowered = text.lower()
    result = [lowered, turkic.turkic_lower(text)]
    if any("а" <= c <= "я" or c == "ё" for c in lowered):
        result.append(lowered.replace("ё", "е"))
    else:
        result.append(strip_accents(lowered))
    return list(dict.fromkeys(result))


@lru_cache(maxsize=1)
def meanings() -> Dict[str, str]:
    """Every typed variant of every local form -> what its ending says. Read once (with the
    model, by the role component) from the table `make kb` writes (build/local_names.json);
    generated here when there is none (4 s)."""
    import json

    from bot import paths

    if paths.LOCAL_NAMES.exists():
        table = json.loads(paths.LOCAL_NAMES.read_text(encoding="utf-8"))
        return {form: target[2] for form, target in table.items() if len(target) > 2}
    from bot.kb.load import load_countries

    result: Dict[str, str] = {}
    for form in local_forms(load_countries()):
        for variant in variants(form.text):
            result.setdefault(variant, form.meaning)
    return result


def meaning_of(text: str) -> str | None:
    """What a matched name's ending says ("Polonya'dan" -> ablative), None for other names."""
    return meanings().get(text.lower().replace("’", "'")) or meanings().get(text.lower())


def names_by_language(codes: Iterable[str]) -> List[Tuple[str, str, str]]:
    """(code, language, CLDR name) for the given countries: the base names the knowledge index
    resolves."""
    return [
        (code, language, name)
        for code in codes
        for language in LOCAL_LANGUAGES
        if (name := country_name(code, language))
    ]
