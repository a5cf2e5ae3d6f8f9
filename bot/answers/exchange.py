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
    knowledge,
    quoted,
    sentence,
)
from bot.answers.localised import (
    Translated,
    alphabetical,
    country,
    organisation_with_country,
)
from bot.answers.projects import project as project_answer
from bot.answers.retired import no_current_information, retired_lookup
from bot.i18n import _, fact_text, join, n_, number
from bot.i18n.counting import count_phrase
from bot.kb.schema import ExchangeProgramme, PartnerClaim

# Built when read, so the titles are in the reply's language.
EXCHANGE_BUTTONS: Translated[Button] = Translated(
    {
        "erasmus_ka1": lambda: Button.ask("Erasmus+ KA1", "ask_erasmus"),
        "mevlana": lambda: Button.ask("Mevlana", "ask_mevlana"),
        "bilateral": lambda: Button.ask(_("Bilateral agreements"), "ask_bilateral"),
    }
)


def _all_partners_button() -> Button:
    return Button.ask(_("All partner countries"), "ask_partners")


def _link_line(link) -> str:
    return f"**{link.label}**: {link.detail}"


def _claim_phrase(claim: PartnerClaim) -> str:
    what = count_phrase(claim.count, claim.qualifier, claim.unit)
    if claim.breakdown:
        parts = join([count_phrase(p.count, None, p.label) for p in claim.breakdown])
        what = _("{partners} ({breakdown})", partners=what, breakdown=parts)
    if len(claim.countries) == 1:  # "ülkesinden", not "ülkelerinden"
        what = _("{partners} in {country}", partners=what, country=country(claim.countries[0]))
    elif claim.countries:
        names = join([country(c) for c in claim.countries])
        what = _("{partners} in {countries}", partners=what, countries=names)
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
        return _(
            "BEU cooperates with {partners} under the {programme}.",
            partners=_claim_phrase(claims[0]),
            programme=programme.name,
        )
    versions = bullets(_claim_phrase(c) for c in claims)
    note = _difference_note(claims)
    heading = n_(
        "The page gives {n} different figure for the {programme}:",
        "The page gives {n} different figures for the {programme}:",
        len(claims),
        n=number(len(claims)),
        programme=programme.name,
    )
    return f"{heading}\n{versions}\n{note}".rstrip()


def _difference_note(claims: List[PartnerClaim]) -> str:
    with_countries = [c for c in claims if c.countries]
    if len(with_countries) < 2:
        return _("I can't tell which figure is current; the office can confirm.")
    everywhere = set.intersection(*(set(c.countries) for c in with_countries))
    extra = sorted({code for c in with_countries for code in c.countries} - everywhere)
    if not extra:
        return _("I can't tell which figure is current; the office can confirm.")
    return _(
        "Only one of the lists includes {countries}. "
        "I can't tell which is current; the office can confirm.",
        countries=join([country(code) for code in extra]),
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
        return _("The page doesn't name the exchange partner universities themselves.")
    names = join([organisation_with_country(o.name, o.country) for o in orgs])
    return _("Partner universities: {universities}.", universities=names)


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
            Button.ask(_("Dual master's degree"), "ask_dual_degree"),
            Button.ask(_("Erasmus+ KA2 projects"), "ask_projects"),
            Button.ask(_("How many students went?"), "ask_mobility_numbers"),
        ],
        extra=_(
            "Also within {framework}, BEU runs a dual {level} degree in {field} with {partner}.",
            framework=dual.framework,
            level=fact_text(dual.level),
            field=fact_text(dual.field),
            partner=organisation_with_country(partner.name, partner.country),
        ),
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
    parts = [sentence(fact_text(kb.cooperation.overview.text)), _("Exchange programmes:")]
    parts.append(bullets(f"**{p.name}**: " + describe_claims(p) for p in kb.exchange_programmes))
    includes = bullets(fact_text(item) for item in kb.cooperation.includes.items)
    parts.append(_("Cooperation includes:") + "\n" + includes)
    facts = [kb.cooperation.overview, kb.cooperation.includes]
    facts += [c for p in kb.exchange_programmes for c in p.partner_claims]
    buttons = [*EXCHANGE_BUTTONS.values(), Button.ask(_("Dual degree"), "ask_dual_degree")]
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
        said = phrases[0]
        for other in phrases[1:]:
            said = _("{claim}; elsewhere the page says {other}", claim=said, other=other)
        lines.append(f"**{programme.name}**: {said}")
    body = _("BEU's partners, by programme:") + "\n" + bullets(lines)
    project_countries = index.project_partner_countries()
    if project_countries:
        body += "\n\n" + _(
            "International projects also connect BEU with universities in {countries}.",
            countries=join([country(c) for c in project_countries]),
        )
    body += "\n\n" + named_universities(index.kb.exchange_programmes)
    facts = [c for p in index.kb.exchange_programmes for c in p.partner_claims]
    reply = answer(body, facts, list(EXCHANGE_BUTTONS.values()), topic="partners")
    reply.listed = [f"exchange:{p.id}" for p in index.kb.exchange_programmes]
    return reply


def partners_in(country_text: str) -> Answer:
    """Partners in one country: a plain yes with the links, or a plain no with what does exist."""
    index = knowledge()
    found = index.country(country_text)
    if found is None:
        return Answer(
            _(
                "I don't recognise {text} as a country. Could you check the spelling?",
                text=quoted(country_text),
            ),
            [Button.ask(_("List partner countries"), "ask_partners")],
            "partners",
            known=False,
        )
    links = index.partner_links(found.code)
    subject = {"country": found.name}
    if not links:
        everywhere = alphabetical(
            {country(c) for _name, codes in index.exchange_countries() for c in codes}
        )
        body = _(
            "No, the page lists no partner university or project in **{country}**. "
            "BEU's partner countries are {countries}.",
            country=country(found.code),
            countries=join(everywhere),
        )
        facts = [c for p in index.kb.exchange_programmes for c in p.partner_claims]
        return answer(body, facts, list(EXCHANGE_BUTTONS.values()), "partners", **subject)
    body = _("Yes, BEU has partners in **{country}**:", country=country(found.code)) + "\n"
    body += bullets(_link_line(link) for link in links)
    linked = [p for p in index.kb.exchange_programmes if p.name in {x.label for x in links}]
    if linked:
        body += "\n\n" + named_universities(linked, found.code)
    facts = _facts_for_country(found.code)
    return answer(body, facts, [_all_partners_button()], "partners", **subject)


def _facts_for_country(code: str):
    index = knowledge()
    facts = [
        c for p in index.kb.exchange_programmes for c in p.partner_claims if code in c.countries
    ]
    for programme in index.kb.exchange_programmes:
        facts += index.exchange_universities(programme, code)
    for project in index.kb.projects:
        orgs = [project.coordinator, project.funder, *project.involved]
        if any(index.organisations[o].country == code for o in orgs if o):
            facts.append(project)
    return facts


def programme_in(programme_id: str, country_text: str) -> Answer:
    """ "Can I do Erasmus in Sweden?": whether this programme lists the country, and what else
    ties BEU to it, so a link through a project is never taken for an exchange place."""
    index = knowledge()
    found = index.country(country_text)
    if found is None:
        return partners_in(country_text)
    programme = index.exchange(programme_id)
    claims = [c for c in programme.partner_claims if found.code in c.countries]
    subject = {"country": found.name}
    name = country(found.code)
    if claims and len(claims) == len(programme.partner_claims):
        body = _(
            "Yes: **{country}** is one of the {programme} partner countries.",
            country=name,
            programme=programme.name,
        )
    elif claims:
        body = _(
            "**{country}** is in {n} of the page's {total} lists of {programme} partner countries:",
            country=name,
            n=number(len(claims)),
            total=number(len(programme.partner_claims)),
            programme=programme.name,
        )
        body += "\n" + describe_claims(programme)
    else:
        body = _(
            "No: **{country}** is not among the {programme} partner countries.",
            country=name,
            programme=programme.name,
        )
        body += " " + describe_claims(programme)
        others = [link for link in index.partner_links(found.code) if link.label != programme.name]
        if others:
            body += "\n\n" + _("BEU is linked with {country} in other ways:", country=name)
            body += "\n" + bullets(_link_line(link) for link in others)
    body += "\n\n" + named_universities([programme], found.code)
    facts = [*programme.partner_claims, *_facts_for_country(found.code)]
    return answer(body, facts, [_all_partners_button()], programme_id, **subject)


def partner_organisation(name: str) -> Answer:
    """What BEU does with one named university or organisation."""
    index = knowledge()
    org = index.organisation(name)
    if org is None:
        retired = retired_lookup(name)
        if retired is not None:
            return no_current_information(retired, "partners")
        return Answer(
            _(
                "The page doesn't mention {name}, so I can't say whether it is a partner.",
                name=quoted(name),
            ),
            [_all_partners_button()],
            "partners",
            known=False,
        )
    links = index.organisation_links(org.id)
    named = {"organisation": org.name, "country": country(org.country)}
    projects_linked = {link.subject for link in links if link.kind == "project"}
    if links and len(projects_linked) == 1 and all(link.kind == "project" for link in links):
        # "did people from BEU win something from the DAAD?": the one project, in full
        reply = project_answer(projects_linked.pop(), "details")
        intro = _("**{organisation}** ({country}) works with BEU in this project:", **named)
        reply.text = f"{intro}\n\n{reply.text}"
        return reply
    if not links:
        body = _(
            "The page mentions **{organisation}** ({country}) but not as a partner of BEU.", **named
        )
    else:
        body = _("**{organisation}** ({country}) works with BEU:", **named) + "\n"
        body += bullets(_link_line(link) for link in links)
    return answer(body, [org], [_all_partners_button()], "partners")


def partners(country_text: str | None = None, organisation: str | None = None) -> Answer:
    if country_text:
        return partners_in(country_text)
    if organisation:
        return partner_organisation(organisation)
    return partner_countries()


def mobility() -> Answer:
    kb = knowledge().kb
    students, staff = kb.mobility.students, kb.mobility.staff
    lines = [
        _("**Students**: {students}.", students=count_phrase(*_counted(students))),
        _("**Staff**: {staff}.", staff=count_phrase(*_counted(staff))),
    ]
    buttons = [
        EXCHANGE_BUTTONS["erasmus_ka1"],
        Button.ask(_("Exchange options"), "ask_exchange_programmes"),
    ]
    body = bullets(lines)
    return answer(body, [students, staff], buttons, topic="mobility")


def _counted(fact) -> tuple:
    return fact.count, fact.qualifier, fact.text
