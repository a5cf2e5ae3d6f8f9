"""Russian case forms of names, by rule: "в Польше", "из Ирана", "с Германией", "о Казахстане".

Russian puts a case ending on every name, so a recogniser that knows only "Польша" misses
"в Польше". The endings of the nouns and adjectives that country and university names are made
of follow a handful of regular paradigms (by the last letters of the word); this module applies
them. It over-generates rather than under-generates: a form nobody writes ("Кореей" and
"Корее" are both real; an odd extra form matches nothing) costs one pattern, a missing form
costs an unrecognised name.

A phrase is declined word by word up to and including its first noun ("Саудовская Аравия" ->
"Саудовской Аравии"), and again after "и" ("Босния и Герцеговина" -> "Боснии и Герцеговине");
words after the head noun keep their form ("Республика Корея" -> "Республики Корея").
"""

from __future__ import annotations

import itertools
from typing import Dict, List

CASES = ("nom", "gen", "dat", "acc", "ins", "pre")
Paradigm = Dict[str, List[str]]  # case -> forms

_HUSHING = "жшчщц"
_VELAR_OR_HUSHING = "гкхжшчщ"
_VOWELS = "аеёиоуыэюя"
_INDECLINABLE_ENDINGS = "оеёиуюэ"  # Марокко, Перу, Чили, Гаити: foreign nouns in a vowel


def _adjective(word: str) -> Paradigm | None:
    """Adjective paradigms ("Саудовская", "Соединенные", "Тбилисский", "Центральноафриканская")."""
    lower = word.lower()
    stem = word[:-2]
    soft = len(stem) > 0 and stem[-1].lower() in _VELAR_OR_HUSHING
    i = "и" if soft else "ы"
    if lower.endswith("ая"):
        return {"nom": [word], "gen": [stem + "ой"], "dat": [stem + "ой"], "acc": [stem + "ую"],
                "ins": [stem + "ой"], "pre": [stem + "ой"]}  # fmt: skip
    if lower.endswith("ое"):
        return {"nom": [word], "gen": [stem + "ого"], "dat": [stem + "ому"], "acc": [word],
                "ins": [stem + i + "м"], "pre": [stem + "ом"]}  # fmt: skip
    if lower.endswith(("ый", "ий")) and len(word) > 4:
        return {"nom": [word], "gen": [stem + "ого"], "dat": [stem + "ому"], "acc": [word],
                "ins": [stem + i + "м"], "pre": [stem + "ом"]}  # fmt: skip
    if lower.endswith(("ые", "ие")) and len(word) > 4:
        return {"nom": [word], "gen": [stem + i + "х"], "dat": [stem + i + "м"], "acc": [word],
                "ins": [stem + i + "ми"], "pre": [stem + i + "х"]}  # fmt: skip
    return None


def _noun(word: str) -> Paradigm:
    """Noun paradigms by ending; indeclinable words and abbreviations ("ОАЭ") stay as they are."""
    lower = word.lower()
    last = lower[-1:]
    same = {case: [word] for case in CASES}
    if len(word) < 3 or word.isupper() or not last.isalpha():
        return same
    stem = word[:-1]
    if lower.endswith("ия") or (last == "я" and lower[-2:-1] in _VOWELS):
        # Германия -> Германии, Германию, Германией; Корея -> Кореи, Корее, Корею, Кореей
        pre = [stem + "и"] if lower.endswith("ия") else [stem + "е", stem + "и"]
        return {"nom": [word], "gen": [stem + "и"], "dat": pre, "acc": [stem + "ю"],
                "ins": [stem + "ей"], "pre": pre}  # fmt: skip
    if last == "а":
        # Польша -> Польши, Польше, Польшу, Польшей; Куба -> Кубы, Кубе, Кубу, Кубой
        gen = stem + ("и" if stem[-1:].lower() in _VELAR_OR_HUSHING else "ы")
        ins = [stem + "ой", stem + "ей"] if stem[-1:].lower() in _HUSHING else [stem + "ой"]
        return {"nom": [word], "gen": [gen], "dat": [stem + "е"], "acc": [stem + "у"],
                "ins": ins, "pre": [stem + "е"]}  # fmt: skip
    if last == "ы":
        # Нидерланды -> Нидерландов, Нидерландам, Нидерландах; Филиппины -> Филиппин
        return {"nom": [word], "gen": [stem + "ов", stem], "dat": [stem + "ам"], "acc": [word],
                "ins": [stem + "ами"], "pre": [stem + "ах"]}  # fmt: skip
    if last in ("ь", "й"):
        # Израиль -> Израиля, Израиле (masculine); Беларусь -> Беларуси, Беларусью (feminine)
        # Китай -> Китая, Китаю, Китаем, Китае
        feminine = ["и", "ью"] if last == "ь" else []
        gen = [stem + "я"] + ([stem + "и"] if feminine else [])
        return {"nom": [word], "gen": gen, "dat": [stem + "ю", *gen[1:]],
                "acc": [word], "ins": [stem + "ем"] + ([stem + "ью"] if feminine else []),
                "pre": [stem + "е", *gen[1:]]}  # fmt: skip
    if last in _INDECLINABLE_ENDINGS or last in "я":
        return same
    # a consonant: Иран -> Ирана, Ирану, Ираном, Иране; Египет -> Египта (the fleeting е)
    stems = [word] + ([word[:-2] + word[-1]] if lower.endswith(("ет", "ец")) else [])
    ins_ending = "ем" if last in _HUSHING else "ом"
    return {"nom": [word], "gen": [s + "а" for s in stems], "dat": [s + "у" for s in stems],
            "acc": [word], "ins": [s + ins_ending for s in stems],
            "pre": [s + "е" for s in stems]}  # fmt: skip


def _paradigm(word: str) -> tuple[Paradigm, bool]:
    """The word's paradigm, and whether it is an adjective (which agrees with the next noun)."""
    if "-" in word:  # Гвинея-Бисау, Сент-Винсент: the first part carries the ending
        head, _, tail = word.partition("-")
        paradigm, adjective = _paradigm(head)
        return {case: [f"{f}-{tail}" for f in forms] for case, forms in paradigm.items()}, adjective
    adjective = _adjective(word)
    return (adjective, True) if adjective else (_noun(word), False)


def declensions(name: str) -> List[str]:
    """Every case form of a name (nominative first), in a stable order, without duplicates."""
    words = name.split()
    paradigms: List[Paradigm] = []
    declining = True
    for word in words:
        if word.lower() == "и" and not declining:
            declining = True  # "Босния и Герцеговина": the second noun declines too
        if not declining or word.lower() == "и":
            paradigms.append({case: [word] for case in CASES})
            continue
        paradigm, adjective = _paradigm(word)
        paradigms.append(paradigm)
        if not adjective:
            declining = False  # the head noun: what follows keeps its form
    forms: List[str] = []
    for case in CASES:
        for combination in itertools.product(*(p[case] for p in paradigms)):
            form = " ".join(combination)
            if form not in forms:
                forms.append(form)
    return forms


def adjective_forms(adjective: str) -> List[str]:
    """All genders, numbers and cases of an adjective ("польский" -> "польская", "польских",
    "польском"...): the forms a language or nationality adjective takes."""
    lower = adjective.lower()
    if not lower.endswith(("ий", "ый", "ой")):
        return [adjective]
    stem = adjective[:-2]
    soft = stem[-1:].lower() in _VELAR_OR_HUSHING
    i = "и" if soft else "ы"
    endings = [lower[-2:], "ая", "ое", i + "е", "ого", "ому", "ом", i + "м", "ой", "ую",
               i + "х", i + "ми"]  # fmt: skip
    return list(dict.fromkeys(stem + ending for ending in endings))
