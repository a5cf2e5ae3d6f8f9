"""Study programmes: English-taught specialties, what foreign students choose, the dual degree."""

from __future__ import annotations

from bot.answers.base import Answer, Button, answer, bullets, knowledge, office_contact_hint


def english_programmes() -> Answer:
    programmes = knowledge().kb.programmes
    taught = programmes.english_taught
    body = (
        f"{taught.text}\n\nThe page doesn't list which specialties they are. "
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


def dual_degree() -> Answer:
    index = knowledge()
    dual = index.kb.programmes.dual_degree
    partner = index.organisations[dual.partner]
    body = (
        f"Yes: a **dual {dual.level} degree in {dual.field}** with the **{partner.name}** "
        f"({index.country_name(partner.country)}), run within the {dual.framework} programme.\n\n"
        "The page doesn't give admission requirements for it. " + office_contact_hint()
    )
    buttons = [
        Button.ask("Erasmus+ partners", "ask_erasmus"),
        Button.ask("Programmes in English", "ask_english_programmes"),
    ]
    return answer(body, [dual], buttons, topic="dual_degree")
