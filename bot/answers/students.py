"""The international student body and scholarship support."""

from __future__ import annotations

from bot.answers.base import Answer, Button, answer, join, knowledge, quoted


def international_students(country_text: str | None = None, how_many: bool = False) -> Answer:
    """The student body; with a country, whether it is among the students' countries. Asked
    how many come from a country (`how_many`), honest that the page gives only the total."""
    index = knowledge()
    students = index.kb.international_students
    names = [index.country_name(c) for c in students.countries]
    overview = (
        f"**{students.count} international students** from **{students.country_count} countries** "
        f"study at BEU: {join(names)}."
    )
    buttons = [
        Button.ask("What do they study?", "ask_popular_departments"),
        Button.ask("Programmes in English", "ask_english_programmes"),
    ]
    if not country_text:
        return answer(overview, [students], buttons, topic="students")
    country = index.country(country_text)
    if country is None:
        return Answer(
            f"I don't recognise {quoted(country_text)} as a country. {overview}",
            buttons,
            "students",
            known=False,
        )
    if how_many:
        listed = "is" if country.code in students.countries else "is not"
        body = (
            f"The page doesn't say how many students come from **{country.name}**: it gives only "
            f"the total, and {country.name} {listed} among their countries. {overview}"
        )
    elif country.code in students.countries:
        body = f"Yes, there are students from **{country.name}** at BEU. {overview}"
    else:
        body = (
            f"No, **{country.name}** is not among the countries the page lists for BEU's "
            f"international students. {overview}"
        )
    return answer(body, [students], buttons, "students", country=country.name)


def scholarships(name: str | None = None) -> Answer:
    index = knowledge()
    support = index.kb.scholarship_support
    body = support.text
    if name:
        found = index.scholarship(name)
        if found is None:
            body = (
                f"The page doesn't mention {quoted(name)} among the scholarship programmes the "
                f"office supports. What it says is: {support.text}"
            )
        else:
            body = f"Yes, **{found.name}** is one of them. {support.text}"
    body += (
        "\n\nThe page doesn't give deadlines or conditions of these programmes, "
        "so please check with the department."
    )
    buttons = [Button.ask("Contact the office", "ask_contact")]
    reply = answer(body, [support], buttons, topic="scholarships")
    if not name:
        reply.listed = [f"scholarship:{s.name}" for s in support.programmes]
    return reply
