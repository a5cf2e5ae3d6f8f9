"""Study programmes: English-taught specialties, what foreign students choose, the dual degree."""

from __future__ import annotations

from bot.answers.base import Answer, Button, answer, bullets, knowledge, office_contact_hint


def english_programmes(department: str | None = None) -> Answer:
    programmes = knowledge().kb.programmes
    taught = programmes.english_taught
    if department:
        return _department_in_english(department)
    body = (
        f"{taught.text}\n\n{_specialties(taught.specialties)} "
        "The departments foreign students mainly choose are:\n"
        f"{bullets(programmes.popular_departments.items)}\n\n"
        f"{office_contact_hint()}"
    )
    buttons = [
        Button.ask("Dual master's degree", "ask_dual_degree"),
        Button.ask("Who handles admissions?", "ask_admissions"),
    ]
    return answer(
        body, [taught, programmes.popular_departments], buttons, topic="english_programmes"
    )


def popular_departments() -> Answer:
    departments = knowledge().kb.programmes.popular_departments
    body = "Foreign students at BEU mainly choose these departments:\n" + bullets(departments.items)
    buttons = [Button.ask("Programmes in English", "ask_english_programmes")]
    return answer(body, [departments], buttons, topic="departments")


def dual_degree(asked_field: str | None = None) -> Answer:
    """The dual degree; asked about another field ("in Computer Engineering?"), a plain no
    with the field it is in."""
    index = knowledge()
    dual = index.kb.programmes.dual_degree
    partner = index.organisations[dual.partner]
    what = (
        f"a **dual {dual.level} degree in {dual.field}** with the **{partner.name}** "
        f"({index.country_name(partner.country)}), run within the {dual.framework} programme."
    )
    if asked_field and asked_field.lower() != dual.field.lower():
        opening = f"No: the page names no dual degree in {asked_field}. BEU's dual degree is {what}"
    else:
        opening = f"Yes: {what}"
    body = (
        f"{opening}\n\nThe page doesn't give admission requirements for it. "
        + office_contact_hint()
    )
    buttons = [
        Button.ask("Erasmus+ partners", "ask_erasmus"),
        Button.ask("Programmes in English", "ask_english_programmes"),
    ]
    return answer(body, [dual], buttons, topic="dual_degree")


def _department_in_english(department: str) -> Answer:
    """Honest about one department: the page gives a count of English specialties, not a list."""
    programmes = knowledge().kb.programmes
    taught, popular = programmes.english_taught, programmes.popular_departments
    chosen = next((d for d in popular.items if d.lower() == department.lower()), None)
    name = chosen or department
    if taught.specialties:
        listed = any(name.lower() == t.lower() for t in taught.specialties)
        verdict = "is" if listed else "is not"
        body = f"**{name}** {verdict} among the specialties taught in English. {taught.text}"
    else:
        body = f"The page doesn't say whether **{name}** is taught in English. {taught.text}"
    if chosen:
        body += f" {chosen} is one of the departments foreign students mainly choose."
    body += "\n\n" + office_contact_hint()
    buttons = [Button.ask("Popular departments", "ask_popular_departments")]
    return answer(body, [taught, popular], buttons, topic="english_programmes")


def _specialties(specialties: list) -> str:
    if not specialties:
        return "The page doesn't list which specialties they are."
    return "They are:\n" + bullets(specialties) + "\n\n"
