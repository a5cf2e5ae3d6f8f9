"""Names resolve whatever way a student writes them; partner links are complete and sourced."""

import pytest

from bot.answers import knowledge


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Germany", "Germany"),
        ("german", "Germany"),
        ("Polish", "Poland"),
        ("Türkiye", "Turkey"),
        ("turkish", "Turkey"),
        ("england", "United Kingdom"),
        ("Germny", "Germany"),  # typo
        ("Nigerian", "Nigeria"),
    ],
)
def test_countries_resolve(text, name):
    assert knowledge().country(text).name == name


@pytest.mark.parametrize("text", ["English", "erasmus", "Guinea-ish", ""])
def test_words_that_are_not_countries_do_not_resolve(text):
    assert knowledge().country(text) is None


@pytest.mark.parametrize(
    ("text", "acronym"),
    [("pawer", "PAWER"), ("Promig", "PROMIG"), ("Famelab", "FameLab"), ("h2020", "Horizon 2020")],
)
def test_projects_resolve(text, acronym):
    assert knowledge().project(text).acronym == acronym


@pytest.mark.parametrize(
    ("typo", "canonical"),
    [
        ("University of Montpellierdir", "University of Montpellier"),
        ("Linkopings University", "Linköping University"),
        ("Polytechnic Institute of Braganzça", "Polytechnic Institute of Bragança"),
        ("British Consulate", "British Council"),
        ("BMU", "Baku Engineering University"),
    ],
)
def test_source_typos_are_aliases_of_the_canonical_name(typo, canonical):
    index = knowledge()
    names = {o.name: [o.name, *o.aliases] for o in index.kb.organisations}
    names[index.kb.university.name] = [index.kb.university.name, *index.kb.university.aliases]
    assert typo in names[canonical]


def test_fulbrayt_is_an_alias_of_fulbright():
    assert knowledge().scholarship("Fulbrayt").name == "Fulbright"


def test_partner_links_for_italy_cover_exchange_and_project():
    links = knowledge().partner_links("IT")
    labels = {link.label for link in links}
    assert "Erasmus+ KA1" in labels
    assert any(label.startswith("PAWER") for label in labels)


def test_no_partner_links_for_japan():
    assert knowledge().partner_links("JP") == []


@pytest.mark.parametrize(
    ("text", "acronym"),
    [
        ("what happened at the summer school in tbilisi", "PROMIG"),
        ("when was the winter school in india", "PROMIG"),
        ("tell me about the scientific guidance agreement", "NIZAMI"),
    ],
)
def test_a_projects_events_identify_it(text, acronym):
    assert knowledge().project_for_text(text).acronym == acronym


@pytest.mark.parametrize("text", ["tell me about the summer school", "how much are the fees", ""])
def test_shared_or_unknown_words_identify_no_project(text):
    assert knowledge().project_for_text(text) is None


def test_month_names_identify_no_project():
    assert knowledge().project_for_text("when do classes start in september?") is None


@pytest.mark.parametrize(
    ("typed", "written"),
    [("wroclaw", "Wrocław"), ("baki", "Bakı"), ("azerbaycan", "Azərbaycan"), ("oslo", "Øslo")],
)
def test_letters_without_a_decomposition_fold_like_accents(typed, written):
    from bot.kb.index import fold

    assert fold(written) == fold(typed.upper()) == typed


def test_a_typo_as_close_to_two_countries_names_neither():
    assert knowledge().country("latians") is None  # Latvians? Laotians?
    assert knowledge().country("latvans").name == "Latvia"
    assert knowledge().country("laotans").name == "Laos"
