"""International projects: the list, and one project's coordinator, period, aims and activities."""

from __future__ import annotations

from typing import Callable, Dict, List

from bot.answers.base import (
    Answer,
    Button,
    answer,
    bullets,
    knowledge,
    quoted,
    sentence,
)
from bot.answers.localised import Translated, organisation_with_country
from bot.answers.localised import country as country_in_reply
from bot.answers.retired import no_current_information, retired_lookup
from bot.i18n import _, fact_text, join, n_, number
from bot.kb.schema import Cited, Project

# What BEU does in a project, in the reply's language (read when used: `ROLE["host"]`).
ROLE: Translated[str] = Translated(
    {
        "partner": lambda: _("BEU is a partner in it"),
        "participant": lambda: _("BEU takes part in it"),
        "host": lambda: _("BEU hosts it"),
        "winner": lambda: _("a BEU team won it"),
        "coordinator": lambda: _("BEU coordinates it"),
    }
)
ASPECTS = ("details", "coordinator", "period", "aims", "activities")


def _organisation(org_id: str | None) -> str | None:
    org = knowledge().organisations.get(org_id or "")
    return organisation_with_country(org.name, org.country) if org else None


def _years(project: Project) -> Dict[str, str]:
    """A project's first and last year as written (no thousands separator: "2016")."""
    period = project.period
    return {"start": str(period.start), "end": str(period.end)} if period else {}


def _title(project: Project) -> str:
    if project.acronym.lower() in project.name.lower():
        return f"**{project.name}**"
    return f"**{project.acronym}** ({project.name})"


def _buttons(project: Project, skip: str) -> List[Button]:
    labels = {
        "coordinator": _("Who coordinates it?"),
        "period": _("When does it run?"),
        "aims": _("What are its aims?"),
        "activities": _("Events and results"),
    }
    return [
        Button.ask(label, f"ask_project_{aspect}", project=project.acronym)
        for aspect, label in labels.items()
        if aspect != skip
    ] + [Button.ask(_("Other projects"), "ask_projects")]


def _coordinator(project: Project) -> tuple:
    coordinator = _organisation(project.coordinator)
    if coordinator:
        said = _(
            "{project} is coordinated by **{coordinator}**.",
            project=_title(project),
            coordinator=coordinator,
        )
        return said, [project]
    said = _(
        "The page doesn't name a coordinator for {project}; it only says that {role}.",
        project=_title(project),
        role=ROLE[project.role],
    )
    funder = _organisation(project.funder)
    if funder:
        said += " " + _("It is run with the {funder}.", funder=funder)
    return said, [project]


def _period(project: Project) -> tuple:
    if project.period is None:
        return _("The page doesn't say when {project} runs.", project=_title(project)), [project]
    period = project.period
    if period.years:
        said = n_(
            "{project} runs from **{start} to {end}** ({n} year).",
            "{project} runs from **{start} to {end}** ({n} years).",
            period.years,
            project=_title(project),
            n=number(period.years),
            **_years(project),
        )
    else:
        said = _(
            "{project} runs from **{start} to {end}**.", project=_title(project), **_years(project)
        )
    return said, [period]


def _aims(project: Project) -> tuple:
    if not project.aims:
        return _("The page doesn't describe the aims of {project}.", project=_title(project)), [
            project
        ]
    heading = _("Aims of {project}:", project=_title(project))
    return heading + "\n" + bullets(fact_text(a.text) for a in project.aims), project.aims


def _activities(project: Project) -> tuple:
    parts, facts = [], []
    if project.events:
        parts.append(_("Events:") + "\n" + bullets(_dated(e) for e in project.events))
        facts += project.events
    if project.outcomes:
        results = bullets(fact_text(o.text) for o in project.outcomes)
        parts.append(_("Results:") + "\n" + results)
        facts += project.outcomes
    if project.status:
        parts.append(sentence(fact_text(project.status.text)))
        facts.append(project.status)
    if not parts:
        said = _(
            "The page doesn't describe events or results of {project}.", project=_title(project)
        )
        return said, [project]
    return f"{_title(project)}\n\n" + "\n\n".join(parts), facts


def _dated(event) -> str:
    text = fact_text(event.text)
    return f"{fact_text(event.date)}: {text}" if event.date else text


def _details(project: Project) -> tuple:
    title = _title(project)
    programme = "" if project.programme.lower() in title.lower() else f", {project.programme}"
    lines = [f"{title}{programme}. {ROLE[project.role]}."]
    facts: List[Cited] = [project]
    coordinator = _organisation(project.coordinator)
    if coordinator:
        lines.append("- " + _("**Coordinator**: {coordinator}", coordinator=coordinator))
    funder = _organisation(project.funder)
    if funder:
        lines.append("- " + _("**With**: {organisation}", organisation=funder))
    involved = [_organisation(org_id) for org_id in project.involved]
    if involved:
        names = "; ".join(filter(None, involved))
        lines.append(
            "- " + _("**Also involved in its activities**: {organisations}", organisations=names)
        )
    if project.period:
        lines.append("- " + _("**Period**: {start}–{end}", **_years(project)))
        facts.append(project.period)
    if project.members:
        lines.append("- " + _("**Members**: {members}", members=fact_text(project.members.text)))
        facts.append(project.members)
    if project.aims:
        aims = "; ".join(fact_text(a.text) for a in project.aims)
        lines.append("- " + _("**Aims**: {aims}", aims=aims))
        facts += project.aims
    if project.outcomes and not project.aims:
        results = "; ".join(fact_text(o.text) for o in project.outcomes)
        lines.append("- " + _("**Results**: {results}", results=results))
        facts += project.outcomes
    if project.status:
        lines.append("- " + _("**Status**: {status}", status=fact_text(project.status.text)))
        facts.append(project.status)
    return "\n".join(lines), facts


RENDER: Dict[str, Callable[[Project], tuple]] = {
    "details": _details,
    "coordinator": _coordinator,
    "period": _period,
    "aims": _aims,
    "activities": _activities,
}


def members_not_listed(reply: Answer, acronym: str) -> Answer:
    """ "Which universities are in CRENG exactly?": what the page says, and that it doesn't list
    every member university."""
    intro = _(
        "The page doesn't list all the member universities of **{project}** by name; "
        "this is what it says about it:",
        project=acronym,
    )
    reply.text = f"{intro}\n\n{reply.text}"
    return reply


def project(project_text: str | None, aspect: str = "details") -> Answer:
    """One aspect of a project; asks which project when none is known from the conversation."""
    index = knowledge()
    found = index.project(project_text)
    topic = f"project_{aspect}"
    if found is None:
        retired = retired_lookup(project_text)
        if retired is not None:
            return no_current_information(retired, topic)
        intro = (
            _("I don't know a project called {text}.", text=quoted(project_text))
            if project_text
            else _("Which project do you mean?")
        )
        names = join([p.acronym for p in index.kb.projects], "or")
        buttons = [
            Button.ask(p.acronym, f"ask_project_{aspect}", project=p.acronym)
            for p in index.kb.projects[:5]
        ]
        said = intro + " " + _("BEU's projects are {projects}.", projects=names)
        return Answer(said, buttons, topic, known=False)
    body, facts = RENDER[aspect](found)
    return answer(body, facts, _buttons(found, aspect), topic, project=found.acronym)


def projects_with(organisation: str) -> Answer:
    """The projects BEU runs with one organisation ("what do you do with the British Council?")."""
    index = knowledge()
    org = index.organisation(organisation)
    if org is None:
        retired = retired_lookup(organisation)
        return no_current_information(retired, "projects") if retired else project(None)
    links = [link for link in index.organisation_links(org.id) if link.kind == "project"]
    if not links:
        return project(None)
    body = _("Projects with **{organisation}**:", organisation=org.name) + "\n"
    body += bullets(f"**{link.label}**: {link.detail}" for link in links)
    return answer(body, [org], [Button.ask(_("All projects"), "ask_projects")], "projects")


def projects_in(country_text: str) -> Answer:
    """The projects that tie BEU to one country (its coordinator or a partner is there): the
    project itself when there is one, else the list."""
    index = knowledge()
    country = index.country(country_text)
    if country is None:
        return projects_overview()
    links = index.partner_links(country.code)
    acronyms = list(dict.fromkeys(link.subject for link in links if link.kind == "project"))
    if len(acronyms) == 1:
        return project(acronyms[0], "details")
    if not acronyms:
        body = _(
            "The page names no project of BEU's with a partner in **{country}**.",
            country=country_in_reply(country.code),
        )
        reply = projects_overview()
        reply.text = f"{body}\n\n{reply.text}"
        return reply
    body = _(
        "BEU's projects with partners in **{country}**: {projects}.",
        country=country_in_reply(country.code),
        projects=join(acronyms),
    )
    facts = [p for p in index.kb.projects if p.acronym in acronyms]
    buttons = [Button.ask(a, "ask_project_details", project=a) for a in acronyms[:5]]
    reply = answer(body, facts, buttons, topic="projects")
    reply.listed = [f"project:{a}" for a in acronyms]
    return reply


def projects_overview() -> Answer:
    kb = knowledge().kb
    by_programme: Dict[str, List[str]] = {}
    for item in kb.projects:
        label = [_title(item)]
        coordinator = _organisation(item.coordinator)
        if coordinator:
            label.append(_("coordinated by {coordinator}", coordinator=coordinator))
        if item.period:
            label.append("{start}–{end}".format(**_years(item)))
        by_programme.setdefault(item.programme, []).append(", ".join(label))
    intro = " ".join(sentence(fact_text(group.text)) for group in kb.project_groups)
    body = (
        intro
        + "\n\n"
        + "\n\n".join(
            f"**{programme}**\n{bullets(labels)}" for programme, labels in by_programme.items()
        )
    )
    buttons = [
        Button.ask(p.acronym, "ask_project_details", project=p.acronym) for p in kb.projects[:5]
    ]
    reply = answer(body, [*kb.project_groups, *kb.projects], buttons, topic="projects")
    reply.listed = [f"project:{p.acronym}" for p in kb.projects]
    return reply


def related_project(acronym: str) -> Answer:
    """For a question we can't answer directly that names one project's event or place: say so,
    then what the page says there."""
    reply = project(acronym, "activities")
    intro = _(
        "I don't have a direct answer to that, but the page mentions it in the "
        "**{project}** project:",
        project=acronym,
    )
    reply.text = f"{intro}\n\n{reply.text}"
    return reply
