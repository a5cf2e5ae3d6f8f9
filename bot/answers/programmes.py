"""Study programmes: English-taught specialties, what foreign students choose, the dual degree."""

from __future__ import annotations

from bot.answers.base import (
    Answer,
    Button,
    answer,
    bullets,
    knowledge,
    local_name,
    office_contact_hint,
)
from bot.i18n import _, country_name, fact_text


def english_programmes(department: str | None = None) -> Answer:
    programmes = knowledge().kb.programmes
    taught = programmes.english_taught
    if department:
        return _department_in_english(department)
    departments = bullets(local_name(d) for d in programmes.popular_departments.items)
    chosen = _("The departments foreign students mainly choose are:")
    body = (
        f"{fact_text(taught.text)}\n\n{_specialties(taught.specialties)} {chosen}\n"
        f"{departments}\n\n{office_contact_hint()}"
    )
    buttons = [
        Button.ask(_("Dual master's degree"), "ask_dual_degree"),
        Button.ask(_("Who handles admissions?"), "ask_admissions"),
    ]
    return answer(
        body, [taught, programmes.popular_departments], buttons, topic="english_programmes"
    )


def popular_departments() -> Answer:
    departments = knowledge().kb.programmes.popular_departments
    body = _("Foreign students at BEU mainly choose these departments:") + "\n"
    body += bullets(local_name(d) for d in departments.items)
    buttons = [Button.ask(_("Programmes in English"), "ask_english_programmes")]
    return answer(body, [departments], buttons, topic="departments")


def dual_degree(asked_field: str | None = None) -> Answer:
    """The dual degree; asked about another field ("in Computer Engineering?"), a plain no
    with the field it is in."""
    index = knowledge()
    dual = index.kb.programmes.dual_degree
    partner = index.organisations[dual.partner]
    what = _(
        "a **dual {level} degree in {field}** with the **{partner}** ({country}), run within the "
        "{framework} programme.",
        level=fact_text(dual.level),
        field=local_name(dual.field),
        partner=partner.name,
        country=country_name(partner.country, index.country_name(partner.country)),
        framework=dual.framework,
    )
    if asked_field and asked_field.lower() != dual.field.lower():
        opening = _(
            "No: the page names no dual degree in {field}. BEU's dual degree is {what}",
            field=asked_field,
            what=what,
        )
    else:
        opening = _("Yes: {what}", what=what)
    no_requirements = _("The page doesn't give admission requirements for it.")
    body = f"{opening}\n\n{no_requirements} {office_contact_hint()}"
    buttons = [
        Button.ask(_("Erasmus+ partners"), "ask_erasmus"),
        Button.ask(_("Programmes in English"), "ask_english_programmes"),
    ]
    return answer(body, [dual], buttons, topic="dual_degree")


def _department_in_english(department: str) -> Answer:
    """Honest about one department: the page gives a count of English specialties, not a list."""
    programmes = knowledge().kb.programmes
    taught, popular = programmes.english_taught, programmes.popular_departments
    chosen = next((d for d in popular.items if d.lower() == department.lower()), None)
    name = chosen or department
    shown = local_name(name)
    if taught.specialties:
        listed = any(name.lower() == t.lower() for t in taught.specialties)
        if listed:
            verdict = _("**{name}** is among the specialties taught in English.", name=shown)
        else:
            verdict = _("**{name}** is not among the specialties taught in English.", name=shown)
    else:
        verdict = _("The page doesn't say whether **{name}** is taught in English.", name=shown)
    body = f"{verdict} {fact_text(taught.text)}"
    if chosen:
        body += " " + _(
            "{name} is one of the departments foreign students mainly choose.", name=shown
        )
    body += "\n\n" + office_contact_hint()
    buttons = [Button.ask(_("Popular departments"), "ask_popular_departments")]
    return answer(body, [taught, popular], buttons, topic="english_programmes")


def _specialties(specialties: list) -> str:
    if not specialties:
        return _("The page doesn't list which specialties they are.")
    return _("They are:") + "\n" + bullets(specialties) + "\n\n"
