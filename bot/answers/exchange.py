"""Exchange and partners: Erasmus+ KA1, Mevlana, bilateral agreements, partner countries, mobility.

Where the source contradicts itself, every claim is shown with the discrepancy named, so a student
never gets one figure presented as certain when the page gives two.
"""

from __future__ import annotations

from typing import List

from bot.answers.base import (
    Answer,
    Button,
    answer,
    bullets,
    count_phrase,
    join,
    knowledge,
    quoted,
    sentence,
)
from bot.answers.projects import project as project_answer
from bot.kb.schema import ExchangeProgramme, PartnerClaim

EXCHANGE_BUTTONS = {
    "erasmus_ka1": Button.ask("Erasmus+ KA1", "ask_erasmus"),
    "mevlana": Button.ask("Mevlana", "ask_mevlana"),
    "bilateral": Button.ask("Bilateral agreements", "ask_bilateral"),
}


def _claim_phrase(claim: PartnerClaim) -> str:
    index = knowledge()
    what = count_phrase(claim.count, claim.qualifier, claim.unit)
    if claim.breakdown:
        what += " (" + join([f"{p.count} {p.label}" for p in claim.breakdown]) + ")"
    if claim.countries:
        what += " in " + join([index.country_name(c) for c in claim.countries])
    return what


def _claims_differ(programme: ExchangeProgramme) -> bool:
    first = programme.partner_claims[0]
    return any(
        (c.count, c.qualifier, sorted(c.countries), c.unit)
        != (first.count, first.qualifier, sorted(first.countries), first.unit)
        for c in programme.partner_claims[1:]
    )


def describe_claims(programme: ExchangeProgramme) -> str:
    """One sentence when the page agrees with itself, every version when it does not."""
    claims = programme.partner_claims
    if not _claims_differ(programme):
        return f"BEU cooperates with {_claim_phrase(claims[0])} under the {programme.name}."
    versions = bullets(_claim_phrase(c) for c in claims)
    note = _difference_note(claims)
    return (
        f"The page gives {len(claims)} different figures for the {programme.name}:\n"
        f"{versions}\n{note}"
    ).rstrip()


def _difference_note(claims: List[PartnerClaim]) -> str:
    index = knowledge()
    with_countries = [c for c in claims if c.countries]
    if len(with_countries) < 2:
        return "I can't tell which figure is current; the office can confirm."
    everywhere = set.intersection(*(set(c.countries) for c in with_countries))
    extra = sorted({code for c in with_countries for code in c.countries} - everywhere)
    if not extra:
        return "I can't tell which figure is current; the office can confirm."
    names = join([index.country_name(code) for code in extra])
    return (
        f"Only one of the lists includes {names}. "
        "I can't tell which is current; the office can confirm."
    )


def named_universities(programmes: List[ExchangeProgramme], country: str | None = None) -> str:
    """The exchange partner universities staff have recorded, or an honest note that there are
    none yet (the page gives counts and countries only)."""
    index = knowledge()
    orgs = [
        index.organisations[org_id]
        for programme in programmes
        for org_id in programme.universities
        if country is None or index.organisations[org_id].country == country
    ]
    if not orgs:
        return "The page doesn't name the exchange partner universities themselves."
    return (
        "Partner universities: "
        + join([f"{o.name} ({index.country_name(o.country)})" for o in orgs])
        + "."
    )


def programme_answer(programme_id: str, buttons: List[Button], extra: str = "") -> Answer:
    programme = knowledge().exchange(programme_id)
    body = describe_claims(programme)
    body += "\n\n" + named_universities([programme])
    if extra:
        body += f"\n\n{extra}"
    return answer(body, programme.partner_claims, buttons, topic=programme_id)


def erasmus() -> Answer:
    index = knowledge()
    dual = index.kb.programmes.dual_degree
    partner = index.organisations[dual.partner]
    return programme_answer(
        "erasmus_ka1",
        [
            Button.ask("Dual master's degree", "ask_dual_degree"),
            Button.ask("Erasmus+ KA2 projects", "ask_projects"),
            Button.ask("How many students went?", "ask_mobility_numbers"),
        ],
        extra=f"Also within {dual.framework}, BEU runs a dual {dual.level} degree in {dual.field} "
        f"with {partner.name} ({index.country_name(partner.country)}).",
    )


def mevlana() -> Answer:
    return programme_answer(
        "mevlana", [EXCHANGE_BUTTONS["erasmus_ka1"], EXCHANGE_BUTTONS["bilateral"]]
    )


def bilateral() -> Answer:
    return programme_answer(
        "bilateral", [EXCHANGE_BUTTONS["erasmus_ka1"], EXCHANGE_BUTTONS["mevlana"]]
    )


def exchange_overview() -> Answer:
    kb = knowledge().kb
    parts = [sentence(kb.cooperation.overview.text), "Exchange programmes:"]
    parts.append(bullets(f"**{p.name}**: " + describe_claims(p) for p in kb.exchange_programmes))
    parts.append("Cooperation includes:\n" + bullets(kb.cooperation.includes.items))
    facts = [kb.cooperation.overview, kb.cooperation.includes]
    facts += [c for p in kb.exchange_programmes for c in p.partner_claims]
    buttons = [*EXCHANGE_BUTTONS.values(), Button.ask("Dual degree", "ask_dual_degree")]
    reply = answer("\n\n".join(parts), facts, buttons, topic="exchange")
    reply.listed = [f"exchange:{p.id}" for p in kb.exchange_programmes]
    return reply


def partner_countries() -> Answer:
    """Every programme's partners with their counts (all versions where the page disagrees),
    then the countries BEU's projects connect it with."""
    index = knowledge()
    lines = []
    for programme in index.kb.exchange_programmes:
        claims = (
            programme.partner_claims if _claims_differ(programme) else programme.partner_claims[:1]
        )
        phrases = [_claim_phrase(c) for c in claims]
        lines.append(f"**{programme.name}**: " + "; elsewhere the page says ".join(phrases))
    body = "BEU's partners, by programme:\n" + bullets(lines)
    project_countries = index.project_partner_countries()
    if project_countries:
        names = join([index.country_name(c) for c in project_countries])
        body += f"\n\nInternational projects also connect BEU with universities in {names}."
    body += "\n\n" + named_universities(index.kb.exchange_programmes)
    facts = [c for p in index.kb.exchange_programmes for c in p.partner_claims]
    reply = answer(body, facts, list(EXCHANGE_BUTTONS.values()), topic="partners")
    reply.listed = [f"exchange:{p.id}" for p in index.kb.exchange_programmes]
    return reply


def partners_in(country_text: str) -> Answer:
    """Partners in one country: a plain yes with the links, or a plain no with what does exist."""
    index = knowledge()
    country = index.country(country_text)
    if country is None:
        return Answer(
            f"I don't recognise {quoted(country_text)} as a country. Could you check the spelling?",
            [Button.ask("List partner countries", "ask_partners")],
            "partners",
            known=False,
        )
    links = index.partner_links(country.code)
    subject = {"country": country.name}
    if not links:
        everywhere = sorted(
            {index.country_name(c) for _, codes in index.exchange_countries() for c in codes}
        )
        body = (
            f"No, the page lists no partner university or project in **{country.name}**. "
            f"BEU's partner countries are {join(everywhere)}."
        )
        facts = [c for p in index.kb.exchange_programmes for c in p.partner_claims]
        return answer(body, facts, list(EXCHANGE_BUTTONS.values()), "partners", **subject)
    body = f"Yes, BEU has partners in **{country.name}**:\n" + bullets(
        f"**{link.label}**: {link.detail}" for link in links
    )
    linked = [p for p in index.kb.exchange_programmes if p.name in {x.label for x in links}]
    if linked:
        body += "\n\n" + named_universities(linked, country.code)
    facts = _facts_for_country(country.code)
    buttons = [Button.ask("All partner countries", "ask_partners")]
    return answer(body, facts, buttons, "partners", **subject)


def _facts_for_country(code: str):
    index = knowledge()
    facts = [
        c for p in index.kb.exchange_programmes for c in p.partner_claims if code in c.countries
    ]
    for project in index.kb.projects:
        orgs = [project.coordinator, project.funder, *project.involved]
        if any(index.organisations[o].country == code for o in orgs if o):
            facts.append(project)
    return facts


def programme_in(programme_id: str, country_text: str) -> Answer:
    """ "Can I do Erasmus in Sweden?": whether this programme lists the country, and what else
    ties BEU to it, so a link through a project is never taken for an exchange place."""
    index = knowledge()
    country = index.country(country_text)
    if country is None:
        return partners_in(country_text)
    programme = index.exchange(programme_id)
    claims = [c for c in programme.partner_claims if country.code in c.countries]
    subject = {"country": country.name}
    if claims and len(claims) == len(programme.partner_claims):
        body = f"Yes: **{country.name}** is one of the {programme.name} partner countries."
    elif claims:
        body = (
            f"**{country.name}** is in {len(claims)} of the page's {len(programme.partner_claims)} "
            f"lists of {programme.name} partner countries:\n{describe_claims(programme)}"
        )
    else:
        body = (
            f"No: **{country.name}** is not among the {programme.name} partner countries. "
            + describe_claims(programme)
        )
        others = [
            link for link in index.partner_links(country.code) if link.label != programme.name
        ]
        if others:
            body += f"\n\nBEU is linked with {country.name} in other ways:\n" + bullets(
                f"**{link.label}**: {link.detail}" for link in others
            )
    body += "\n\n" + named_universities([programme], country.code)
    buttons = [Button.ask("All partner countries", "ask_partners")]
    facts = [*programme.partner_claims, *_facts_for_country(country.code)]
    return answer(body, facts, buttons, programme_id, **subject)


def partner_organisation(name: str) -> Answer:
    """What BEU does with one named university or organisation."""
    index = knowledge()
    org = index.organisation(name)
    if org is None:
        return Answer(
            f"The page doesn't mention {quoted(name)}, so I can't say whether it is a partner.",
            [Button.ask("All partner countries", "ask_partners")],
            "partners",
            known=False,
        )
    links = index.organisation_links(org.id)
    where = index.country_name(org.country)
    projects_linked = {link.subject for link in links if link.kind == "project"}
    if links and len(projects_linked) == 1 and all(link.kind == "project" for link in links):
        # "did people from BEU win something from the DAAD?": the one project, in full
        reply = project_answer(projects_linked.pop(), "details")
        reply.text = f"**{org.name}** ({where}) works with BEU in this project:\n\n{reply.text}"
        return reply
    if not links:
        body = f"The page mentions **{org.name}** ({where}) but not as a partner of BEU."
    else:
        body = f"**{org.name}** ({where}) works with BEU:\n" + bullets(
            f"**{link.label}**: {link.detail}" for link in links
        )
    return answer(body, [org], [Button.ask("All partner countries", "ask_partners")], "partners")


def partners(country_text: str | None = None, organisation: str | None = None) -> Answer:
    if country_text:
        return partners_in(country_text)
    if organisation:
        return partner_organisation(organisation)
    return partner_countries()


def mobility() -> Answer:
    kb = knowledge().kb
    students, staff = kb.mobility.students, kb.mobility.staff
    body = (
        f"- **Students**: {count_phrase(students.count, students.qualifier, students.text)}.\n"
        f"- **Staff**: {count_phrase(staff.count, staff.qualifier, staff.text)}."
    )
    buttons = [
        EXCHANGE_BUTTONS["erasmus_ka1"],
        Button.ask("Exchange options", "ask_exchange_programmes"),
    ]
    return answer(body, [students, staff], buttons, topic="mobility")
