"""Answers to a claim the student made: confirmed, corrected or not stated, each with the fact.

A "Yes" only where the knowledge base supports the whole claim; a "No" or "Not quite" always
followed by what the page does say; and where the page names no such thing, that honest answer
with who to ask. Where the page contradicts itself (several partner claims), every version is
shown rather than one picked.
"""

from __future__ import annotations

from typing import List, Sequence, Tuple

from bot.answers.base import (
    Answer,
    Button,
    answer,
    bullets,
    join,
    knowledge,
    office_contact_hint,
    quoted,
    sentence,
)
from bot.answers.exchange import describe_claims, named_universities
from bot.answers.projects import RENDER, ROLE
from bot.i18n.counting import count_phrase
from bot.kb.index import fold
from bot.kb.schema import Cited, ExchangeProgramme, Organisation, Project
from bot.understanding.claims import Claim

CONFIRMED, CORRECTED, NOT_STATED = "confirmed", "corrected", "not_stated"
SENTENCE_STARTS = {"The", "It", "A", "An", "More", "In", "Only", "There", "Over"}
APPROXIMATE_SHARE = 0.1  # "about 100" agrees with a figure within a tenth of it
Verdict = Tuple[str, str, List[Cited]]  # outcome, body, facts the body rests on


def render(claim: Claim) -> Tuple[str, Answer, Tuple[Cited, ...]]:
    """The outcome and the answer for one claim, built from the facts it cites."""
    outcome, body, facts = CHECKS[claim.kind](claim)
    if claim.negated:
        outcome, body = _negated(outcome, body)
    subject = {}
    buttons: List[Button] = []
    if claim.project is not None:
        subject["project"] = claim.project.acronym
        buttons.append(
            Button.ask("More about it", "ask_project_details", project=claim.project.acronym)
        )
    if claim.country is not None:
        subject["country"] = claim.country.name
    if claim.kind in {"partner", "programme"}:
        buttons.append(Button.ask("All partner countries", "ask_partners"))
    reply = answer(body, facts, buttons, "premise", **subject)
    # "not stated" is the honest "the page doesn't say": actions record it for staff (known=False)
    reply.known = outcome != NOT_STATED
    return outcome, reply, tuple(facts)


def _negated(outcome: str, body: str) -> Tuple[str, str]:
    """The student claimed the opposite ("NIZAMI isn't led by Montpellier, right?"): a "No"
    for the positive claim confirms them, a "Yes" corrects them."""
    if body.startswith("No: "):
        return CONFIRMED, "That's right: " + body[len("No: ") :]
    if body.startswith("Yes: "):
        return CORRECTED, "Actually: " + body[len("Yes: ") :]
    return outcome, body


def _lead(word: str, text: str) -> str:
    """'Yes: ' or 'No: ' before a sentence of the knowledge base ("The page gives ..." becomes
    "No: the page gives ...")."""
    if text.split(" ", 1)[0] in SENTENCE_STARTS:
        text = text[0].lower() + text[1:]
    return f"{word}: {text}"


def _org_label(org: Organisation) -> str:
    return f"{org.name} ({knowledge().country_name(org.country)})"


# ----- coordinator ------------------------------------------------------------------------------


def _coordinator(claim: Claim) -> Verdict:
    project = claim.project
    assert project is not None
    line, facts = RENDER["coordinator"](project)
    coordinator = knowledge().organisations.get(project.coordinator or "")
    if coordinator is None:
        return NOT_STATED, line, list(facts)
    if claim.organisation is not None:
        right = claim.organisation.id == coordinator.id
    elif claim.country is not None:
        right = claim.country.code == coordinator.country
    else:
        right = False
    if right:
        return CONFIRMED, _lead("Yes", line), list(facts)
    parts = [_lead("No", line)]
    if claim.by_university:
        parts.append(sentence(ROLE[project.role]))
    if claim.organisation is not None:
        said, related = _what_it_did(claim.organisation, project)
        parts += said
        facts = [*facts, *related]
    if claim.unknown_name:
        parts.append(f"The page doesn't mention {quoted(claim.unknown_name)}.")
    return CORRECTED, " ".join(parts), list(facts)


def _what_it_did(org: Organisation, project: Project) -> Tuple[List[str], List[Cited]]:
    """What the claimed organisation did do, so the correction explains the mix-up, and the
    facts that say so."""
    said: List[str] = []
    facts: List[Cited] = []
    names = {fold(n) for n in [org.name, *org.aliases]}
    mentioning = [s for s in project.outcomes if any(name in fold(s.text) for name in names)]
    if org.id in project.involved:
        detail = f": {mentioning[0].text}" if mentioning else ""
        said.append(sentence(f"{_org_label(org)} took part in its activities{detail}"))
        facts += [project, *mentioning[:1]]
    for other in knowledge().kb.projects:
        if other.coordinator == org.id and other.id != project.id:
            said.append(f"{_org_label(org)} coordinates {other.acronym} ({other.programme}).")
            facts.append(other)
    return said, facts


# ----- period -----------------------------------------------------------------------------------


def _period(claim: Claim) -> Verdict:
    project = claim.project
    assert project is not None
    line, cited = RENDER["period"](project)
    facts = [project, *cited]  # the line names the project too
    period = project.period
    if period is None:
        return NOT_STATED, line, facts
    checks = [
        (claim.start, period.start),
        (claim.end, period.end),
        (claim.years, period.years),
    ]
    stated = [(said, known) for said, known in checks if said is not None]
    if any(known is None for _, known in stated):
        return NOT_STATED, f"The page doesn't give its length in years. {line}", facts
    right = all(said == known for said, known in stated)
    return (CONFIRMED if right else CORRECTED), _lead("Yes" if right else "No", line), facts


# ----- counts -----------------------------------------------------------------------------------


def _agrees(claim: Claim, count: int, qualifier: str) -> bool | None:
    """True, False, or None when the page's figure can neither confirm nor deny the claim
    ("more than 40" against a claimed 50)."""
    said = claim.number
    assert said is not None
    if qualifier == "more_than":
        if claim.more_than:
            return True if said <= count else None
        return False if said <= count else None
    if claim.approximate:
        return abs(said - count) <= max(1, round(count * APPROXIMATE_SHARE))
    if claim.more_than:
        return count > said
    return said == count


def _by_agreement(agrees: bool | None, text: str, facts: List[Cited]) -> Verdict:
    if agrees is None:
        return NOT_STATED, f"The page doesn't give an exact figure: {text}", facts
    if agrees:
        return CONFIRMED, _lead("Yes", text), facts
    return CORRECTED, _lead("No", text), facts


def _count(claim: Claim) -> Verdict:
    kb = knowledge().kb
    if claim.subject == "mobility":
        students = kb.mobility.students
        said = count_phrase(students.count, students.qualifier, students.text)
        if claim.rate:
            return (
                CORRECTED,
                f"Not quite: the page gives {students.count} as a total, not {claim.number} "
                f"{claim.rate}: {said}.",
                [students],
            )
        return _by_agreement(
            _agrees(claim, students.count, students.qualifier), sentence(said), [students]
        )
    if claim.subject == "staff":
        staff = kb.mobility.staff
        said = sentence(count_phrase(staff.count, staff.qualifier, staff.text))
        return _by_agreement(_agrees(claim, staff.count, staff.qualifier), said, [staff])
    if claim.subject in {"students", "countries"}:
        return _student_count(claim)
    if claim.subject == "specialties":
        taught = kb.programmes.english_taught
        return _by_agreement(
            _agrees(claim, taught.count, taught.qualifier), sentence(taught.text), [taught]
        )
    if claim.subject == "projects":
        return _project_count(claim)
    return _partner_count(claim)


def _student_count(claim: Claim) -> Verdict:
    index = knowledge()
    students = index.kb.international_students
    known = students.count if claim.subject == "students" else students.country_count
    names = join([index.country_name(c) for c in students.countries])
    text = (
        f"{students.count} international students from {students.country_count} countries "
        f"study at BEU: {names}."
    )
    return _by_agreement(_agrees(claim, known, "exactly"), text, [students])


def _project_count(claim: Claim) -> Verdict:
    groups = [
        g for g in knowledge().kb.project_groups if claim.group in (None, g.programme)
    ] or list(knowledge().kb.project_groups)
    if not groups:
        return NOT_STATED, "The page doesn't give a number of projects.", []
    total = max(groups, key=lambda g: g.count)
    text = " ".join(sentence(g.text) for g in groups)
    return _by_agreement(_agrees(claim, total.count, "exactly"), text, list(groups))


def _partner_count(claim: Claim) -> Verdict:
    """A partner count with no programme: the page counts partners per programme only."""
    index = knowledge()
    programmes = index.kb.exchange_programmes
    facts: List[Cited] = [c for p in programmes for c in p.partner_claims]
    if claim.country is not None:
        links = index.partner_links(claim.country.code)
        said = bullets(f"**{link.label}**: {link.detail}" for link in links)
        body = (
            "The page doesn't give numbers of partner universities per country, so I can't "
            f"confirm {claim.number} for **{claim.country.name}**."
        )
        if links:
            body += f" What it says about {claim.country.name}:\n{said}"
            facts += _projects_in(claim.country.code)
        return NOT_STATED, body, facts
    body = "The page gives no single total of partner universities. By programme:\n" + bullets(
        f"**{p.name}**: {describe_claims(p)}" for p in programmes
    )
    return NOT_STATED, body, facts


# ----- a programme's partners: count and countries ----------------------------------------------


def _programme(claim: Claim) -> Verdict:
    programme = claim.programme
    assert programme is not None
    facts: List[Cited] = list(programme.partner_claims)
    described = describe_claims(programme)
    if claim.number is not None:
        # the figure decides; a right country with a wrong figure is still a "No"
        verdicts = [_agrees(claim, c.count, c.qualifier) for c in programme.partner_claims]
        where_right = claim.country is None or (
            _country_share(programme, claim.country.code) == "all"
        )
        if True not in verdicts:
            if False in verdicts:
                return CORRECTED, _lead("No", described), facts
            return NOT_STATED, f"The page doesn't give an exact figure: {described}", facts
        if False in verdicts or not where_right:
            return CORRECTED, f"Only partly: {_lower(described)}", facts
        # "more than 10" does not contradict an exact 15 elsewhere
        return CONFIRMED, _lead("Yes", described), facts
    countries = claim.countries or ((claim.country,) if claim.country else ())
    shares = {c.code: _country_share(programme, c.code) for c in countries}
    if all(share == "all" for share in shares.values()):
        names = join([c.name for c in countries])
        code = countries[0].code if len(countries) == 1 else None
        body = (
            f"Yes: the page lists {names} as partner countries of the {programme.name}. "
            if len(countries) > 1
            else f"Yes: the page lists {names} as a partner country of the {programme.name}. "
        ) + f"{described}\n\n{named_universities([programme], code)}"
        return CONFIRMED, body, facts
    # the country that contradicts the claim most: one no list includes, else one some include
    country = next(c for c in countries if shares[c.code] == min(shares.values(), key=_rank))
    share = shares[country.code]
    if share == "some":
        listing = [c for c in programme.partner_claims if c.countries]
        with_it = [c for c in listing if country.code in c.countries]
        body = (
            f"Only partly: {len(with_it)} of the page's {len(listing)} lists of "
            f"{programme.name} partner countries {'includes' if len(with_it) == 1 else 'include'}"
            f" {country.name}.\n\n{described}"
        )
        return CORRECTED, body, facts
    elsewhere = [
        p
        for p in knowledge().kb.exchange_programmes
        if p.id != programme.id and _country_share(p, country.code) != "none"
    ]
    names = join([p.name for p in elsewhere])
    also = f" It lists {country.name} under the {names}." if elsewhere else ""
    facts += [c for p in elsewhere for c in p.partner_claims if country.code in c.countries]
    if _claims_agree(programme):
        body = f"{_lead('No', described)} It doesn't list {country.name} for it.{also}"
    else:
        body = (
            f"No: the page doesn't list {country.name} for the {programme.name}.{also}"
            f"\n\n{described}"
        )
    return CORRECTED, body, facts


def _rank(share: str) -> int:
    return ("none", "some", "all").index(share)


def _lower(text: str) -> str:
    return text[0].lower() + text[1:] if text.startswith(("The ", "It ")) else text


def _claims_agree(programme: ExchangeProgramme) -> bool:
    first = programme.partner_claims[0]
    return all(
        (c.count, c.qualifier, sorted(c.countries))
        == (first.count, first.qualifier, sorted(first.countries))
        for c in programme.partner_claims
    )


def _country_share(programme: ExchangeProgramme, code: str) -> str:
    """Whether all, some or none of the page's country lists for a programme include it."""
    listing = [c for c in programme.partner_claims if c.countries]
    having = [c for c in listing if code in c.countries]
    if not having:
        return "none"
    return "all" if len(having) == len(listing) else "some"


# ----- dual degree, student body, partners ------------------------------------------------------


def _dual_degree(claim: Claim) -> Verdict:
    index = knowledge()
    dual = index.kb.programmes.dual_degree
    partner = index.organisations[dual.partner]
    checks = []
    if claim.organisation is not None:
        checks.append(claim.organisation.id == partner.id)
    if claim.country is not None:
        checks.append(claim.country.code == partner.country)
    if claim.field_name is not None:
        checks.append(fold(claim.field_name) == fold(dual.field))
    if claim.level is not None:
        checks.append(fold(dual.level).startswith(claim.level))
    text = (
        f"the dual {dual.level} degree is in {dual.field}, with the {_org_label(partner)}, "
        f"within the {dual.framework} programme."
    )
    right = all(checks)
    return (CONFIRMED if right else CORRECTED), _lead("Yes" if right else "No", text), [dual]


def _students(claim: Claim) -> Verdict:
    index = knowledge()
    students = index.kb.international_students
    country = claim.country
    assert country is not None
    names = join([index.country_name(c) for c in students.countries])
    if country.code in students.countries:
        body = (
            f"Yes: there are students from **{country.name}** at BEU. {students.count} "
            f"international students from {students.country_count} countries study there: "
            f"{names}."
        )
        return CONFIRMED, body, [students]
    body = (
        f"No: **{country.name}** is not among the {students.country_count} countries the page "
        f"lists for BEU's {students.count} international students: {names}."
    )
    return CORRECTED, body, [students]


def _partner(claim: Claim) -> Verdict:
    index = knowledge()
    if claim.organisation is not None:
        org = claim.organisation
        links = index.organisation_links(org.id)
        if links:
            body = f"Yes: **{org.name}** ({index.country_name(org.country)}) works with BEU:\n"
            body += bullets(f"**{link.label}**: {link.detail}" for link in links)
            return CONFIRMED, body, [org, *_projects_of(org.id)]
        body = (
            f"The page mentions **{org.name}** ({index.country_name(org.country)}), but not as "
            f"a partner of BEU.\n\n{office_contact_hint()}"
        )
        return NOT_STATED, body, [org]
    if claim.unknown_name:
        return _unknown_partner(claim)
    country = claim.country
    assert country is not None
    links = index.partner_links(country.code)
    facts: List[Cited] = [c for p in index.kb.exchange_programmes for c in p.partner_claims]
    if links:
        body = f"Yes: BEU has partners in **{country.name}**:\n" + bullets(
            f"**{link.label}**: {link.detail}" for link in links
        )
        return CONFIRMED, body, [*facts, *_projects_in(country.code)]
    body = (
        f"No: the page lists no partner university or project in **{country.name}**. "
        "By programme, it lists these partner countries:\n" + _countries_by_programme()
    )
    return CORRECTED, body, facts


def _unknown_partner(claim: Claim) -> Verdict:
    index = knowledge()
    programmes = [
        p for p in index.kb.exchange_programmes if any(c.countries for c in p.partner_claims)
    ]
    facts: List[Cited] = [c for p in programmes for c in p.partner_claims]
    parts = [
        f"The page doesn't name {quoted(claim.unknown_name)} as a partner: for the "
        f"{join([p.name for p in programmes])} it lists partner countries, not the "
        "universities themselves."
    ]
    if claim.country is not None:
        links = index.partner_links(claim.country.code)
        if links:
            parts.append(
                f"What it says about **{claim.country.name}**:\n"
                + bullets(f"**{link.label}**: {link.detail}" for link in links)
            )
            facts += _projects_in(claim.country.code)
        else:
            parts.append(f"It lists no partner in **{claim.country.name}**.")
    else:
        parts.append("Partner countries by programme:\n" + _countries_by_programme())
    if any(p.universities for p in programmes):
        parts.append(named_universities(programmes))
    parts.append(office_contact_hint())
    return NOT_STATED, "\n\n".join(parts), facts


def _countries_by_programme() -> str:
    index = knowledge()
    return bullets(
        f"**{name}**: {join([index.country_name(c) for c in codes])}"
        for name, codes in index.exchange_countries()
        if codes
    )


def _projects_of(org_id: str) -> Sequence[Cited]:
    return [p for p in knowledge().kb.projects if org_id in (p.coordinator, p.funder, *p.involved)]


def _projects_in(code: str) -> Sequence[Cited]:
    index = knowledge()
    return [
        p
        for p in index.kb.projects
        if any(
            index.organisations[o].country == code
            for o in (p.coordinator, p.funder, *p.involved)
            if o
        )
    ]


CHECKS = {
    "coordinator": _coordinator,
    "period": _period,
    "count": _count,
    "programme": _programme,
    "dual_degree": _dual_degree,
    "students": _students,
    "partner": _partner,
}
