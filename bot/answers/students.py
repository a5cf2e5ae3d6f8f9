"""The international student body and scholarship support."""

from __future__ import annotations

from bot.answers.base import Answer, Button, answer, join, knowledge, quoted
from bot.i18n import _, country_name, fact_text, n_, number


def _overview() -> str:
    index = knowledge()
    students = index.kb.international_students
    names = [country_name(code, index.country_name(code)) for code in students.countries]
    return _(
        "{students} {countries} study at BEU: {names}.",
        students=n_(
            "**{n} international student**",
            "**{n} international students**",
            students.count,
            n=number(students.count),
        ),
        countries=n_(
            "from **{n} country**",
            "from **{n} countries**",
            students.country_count,
            n=number(students.country_count),
        ),
        names=join(names),
    )


def international_students(country_text: str | None = None, how_many: bool = False) -> Answer:
    """The student body; with a country, whether it is among the students' countries. Asked
    how many come from a country (`how_many`), honest that the page gives only the total."""
    index = knowledge()
    students = index.kb.international_students
    overview = _overview()
    buttons = [
        Button.ask(_("What do they study?"), "ask_popular_departments"),
        Button.ask(_("Programmes in English"), "ask_english_programmes"),
    ]
    if not country_text:
        return answer(overview, [students], buttons, topic="students")
    country = index.country(country_text)
    if country is None:
        unknown = _("I don't recognise {country} as a country.", country=quoted(country_text))
        return Answer(f"{unknown} {overview}", buttons, "students", known=False)
    shown = country_name(country.code, country.name)
    listed = country.code in students.countries
    if how_many and listed:
        verdict = _(
            "The page doesn't say how many students come from **{country}**: it gives only the "
            "total, and {country} is among their countries.",
            country=shown,
        )
    elif how_many:
        verdict = _(
            "The page doesn't say how many students come from **{country}**: it gives only the "
            "total, and {country} is not among their countries.",
            country=shown,
        )
    elif listed:
        verdict = _("Yes, there are students from **{country}** at BEU.", country=shown)
    else:
        verdict = _(
            "No, **{country}** is not among the countries the page lists for BEU's "
            "international students.",
            country=shown,
        )
    body = f"{verdict} {overview}"
    return answer(body, [students], buttons, "students", country=country.name)


def scholarships(name: str | None = None) -> Answer:
    index = knowledge()
    support = index.kb.scholarship_support
    what_it_says = fact_text(support.text)
    body = what_it_says
    if name:
        found = index.scholarship(name)
        if found is None:
            body = _(
                "The page doesn't mention {name} among the scholarship programmes the office "
                "supports. What it says is: {text}",
                name=quoted(name),
                text=what_it_says,
            )
        else:
            yes = _("Yes, **{name}** is one of them.", name=found.name)
            body = f"{yes} {what_it_says}"
    no_details = _(
        "The page doesn't give deadlines or conditions of these programmes, so please check with "
        "the department."
    )
    body += f"\n\n{no_details}"
    buttons = [Button.ask(_("Contact the office"), "ask_contact")]
    reply = answer(body, [support], buttons, topic="scholarships")
    if not name:
        reply.listed = [f"scholarship:{s.name}" for s in support.programmes]
    return reply
