"""Turkish and Azerbaijani case endings on names, by rule: "Polonya'da", "İran'dan", "Polşaya",
"Türkiyədəki", "Qazaxıstandanam", "İranlıyam".

Both languages add suffixes to a name (Turkish with an apostrophe, Azerbaijani usually without;
students write either, or a hyphen, or nothing). A suffix's vowel follows the name's last vowel
(vowel harmony) and its first consonant follows the name's last sound: a buffer "y"/"n" after
a vowel, "t" for "d" after a voiceless consonant in Turkish ("Irak'ta"). A name that ends in the
possessive of a compound ("Amerika Birleşik Devletleri", "Səudiyyə Ərəbistanı") takes "n"
before its case ending ("Devletleri'nde").

Suffix templates use capitals for the sounds that change: A = a/e (a/ə), H = ı/i/u/ü,
D = d/t (Turkish only), Y = the buffer "y" after a vowel, N = the buffer "n" after a vowel.
"""

from __future__ import annotations

from typing import Dict, List, Tuple

BACK = "aıou"
FRONT = "eəiöü"
VOWELS = BACK + FRONT
VOICELESS = "fstkçşhp"

# What each suffix says about the name, so the role cues can read it (bot/understanding/roles.py)
LOCATIVE = "locative"  # in X
ABLATIVE = "ablative"  # from X
DATIVE = "dative"  # to X
LOCATIVE_ADJECTIVE = "in_adjective"  # the ... in X ("Polonya'daki üniversiteler")
FROM_ADJECTIVE = "from_adjective"  # from X, of X ("İranlı")
I_AM_FROM = "i_am_from"  # I am from X ("İranlıyım", "Türkiye'denim", "Gürcüstandanam")
I_AM_IN = "i_am_in"  # I am in X ("İran'dayım", "Almaniyadayam")
WITH = "with"  # with X ("Polonya'yla", "Birləşmiş Krallıqla")
PLAIN = "plain"  # no role-bearing case (accusative, genitive, "it is X")

SUFFIXES: Dict[str, Tuple[Tuple[str, str], ...]] = {
    "tr": (
        ("DA", LOCATIVE), ("DAn", ABLATIVE), ("YA", DATIVE), ("YH", PLAIN), ("NHn", PLAIN),
        ("YlA", WITH), ("DAki", LOCATIVE_ADJECTIVE), ("lH", FROM_ADJECTIVE),
        ("lHlAr", FROM_ADJECTIVE), ("lHyHm", I_AM_FROM), ("DAnHm", I_AM_FROM),
        ("DHr", PLAIN), ("DAyHm", I_AM_IN),
    ),
    "az": (
        ("dA", LOCATIVE), ("dAn", ABLATIVE), ("YA", DATIVE), ("NH", PLAIN), ("NHn", PLAIN),
        ("YlA", WITH), ("dAkH", LOCATIVE_ADJECTIVE), ("lH", FROM_ADJECTIVE),
        ("lHlAr", FROM_ADJECTIVE), ("lHyAm", I_AM_FROM), ("dAnAm", I_AM_FROM),
        ("dHr", PLAIN), ("dAyAm", I_AM_IN),
    ),
}  # fmt: skip
# After the possessive ending of a compound name ("Devletleri", "Ərəbistanı"): buffer n.
POSSESSIVE_SUFFIXES: Dict[str, Tuple[Tuple[str, str], ...]] = {
    "tr": (("nDA", LOCATIVE), ("nDAn", ABLATIVE), ("nA", DATIVE), ("nH", PLAIN),
           ("nHn", PLAIN), ("nDAki", LOCATIVE_ADJECTIVE)),
    "az": (("ndA", LOCATIVE), ("ndAn", ABLATIVE), ("nA", DATIVE), ("nH", PLAIN),
           ("nHn", PLAIN), ("ndAkH", LOCATIVE_ADJECTIVE)),
}  # fmt: skip
# The person ending on a nationality word: "Türküm", "Türkmenim", "rusam", "türkəm".
PERSON_SUFFIX = {"tr": "YHm", "az": "YAm"}


def turkic_lower(text: str) -> str:
    """Lower case as Turkish and Azerbaijani write it: I -> ı, İ -> i."""
    return text.replace("I", "ı").replace("İ", "i").lower()


def _last_vowel(word: str) -> str:
    for char in reversed(turkic_lower(word)):
        if char in VOWELS:
            return char
    return "e"  # no vowel (an acronym): front harmony, as it is read


def _apply(word: str, template: str, language: str) -> str:
    """The suffix for this word: each capital resolved by the sound before it."""
    out: List[str] = []
    for symbol in template:
        before = turkic_lower(word + "".join(out))[-1:]
        vowel = _last_vowel(word + "".join(out))
        if symbol == "A":
            out.append(("a" if vowel in BACK else "e") if language == "tr" else
                       ("a" if vowel in BACK else "ə"))  # fmt: skip
        elif symbol == "H":
            if vowel in "aı":
                out.append("ı")
            elif vowel in "ou":
                out.append("u")
            elif vowel in "öü":
                out.append("ü")
            else:
                out.append("i")
        elif symbol == "D":
            out.append("t" if before in VOICELESS else "d")
        elif symbol in "YN":
            if before in VOWELS:
                out.append(symbol.lower())
        else:
            out.append(symbol)
    return "".join(out)


def _has_possessive(name: str) -> bool:
    """A compound whose last word ends in the possessive ("Cumhuriyeti", "Ştatları")."""
    words = name.split()
    return len(words) > 1 and turkic_lower(words[-1])[-1:] in "ıiuü"


def case_forms(name: str, language: str) -> List[Tuple[str, str, str]]:
    """(name, suffix, meaning) for every case ending of the name in "tr" or "az"."""
    templates = SUFFIXES[language]
    if _has_possessive(name):
        templates = POSSESSIVE_SUFFIXES[language] + templates[7:]
    return [(name, _apply(name, template, language), meaning) for template, meaning in templates]


def person_form(stem: str, language: str) -> str:
    """A nationality word with "I am": "Türk" -> "Türküm", "rus" -> "rusam"."""
    return stem + _apply(stem, PERSON_SUFFIX[language], language)
