"""International projects: the list, and one project's coordinator, period, aims and activities."""

from __future__ import annotations

from typing import Callable, Dict, List

from bot.answers.base import (
    Answer,
    Button,
    answer,
    bullets,
    join,
    knowledge,
    quoted,
    sentence,
)
from bot.kb.schema import Cited, Project

ROLE = {
    "partner": "BEU is a partner in it",
    "participant": "BEU takes part in it",
    "host": "BEU hosts it",
    "winner": "a BEU team won it",
    "coordinator": "BEU coordinates it",
}
ASPECTS = ("details", "coordinator", "period", "aims", "activities")


def _organisation(org_id: str | None) -> str | None:
    index = knowledge()
    org = index.organisations.get(org_id or "")
    return f"{org.name} ({index.country_name(org.country)})" if org else None


def _title(project: Project) -> str:
    if project.acronym.lower() in project.name.lower():
        return f"**{project.name}**"
    return f"**{project.acronym}** ({project.name})"


def _buttons(project: Project, skip: str) -> List[Button]:
    labels = {
        "coordinator": "Who coordinates it?",
        "period": "When does it run?",
        "aims": "What are its aims?",
        "activities": "Events and results",
    }
    return [
        Button.ask(label, f"ask_project_{aspect}", project=project.acronym)
        for aspect, label in labels.items()
        if aspect != skip
    ] + [Button.ask("Other projects", "ask_projects")]


def _coordinator(project: Project) -> tuple:
    coordinator = _organisation(project.coordinator)
    if coordinator:
        return f"{_title(project)} is coordinated by **{coordinator}**.", [project]
    funder = _organisation(project.funder)
    extra = f" It is run with the {funder}." if funder else ""
    return (
        f"The page doesn't name a coordinator for {_title(project)}; it only says that "
        f"{ROLE[project.role]}.{extra}",
        [project],
    )


def _period(project: Project) -> tuple:
    if project.period is None:
        return f"The page doesn't say when {_title(project)} runs.", [project]
    period = project.period
    length = f" ({period.years} years)" if period.years else ""
    return f"{_title(project)} runs from **{period.start} to {period.end}**{length}.", [period]


def _aims(project: Project) -> tuple:
    if not project.aims:
        return f"The page doesn't describe the aims of {_title(project)}.", [project]
    return f"Aims of {_title(project)}:\n" + bullets(a.text for a in project.aims), project.aims


def _activities(project: Project) -> tuple:
    parts, facts = [], []
    if project.events:
        parts.append("Events:\n" + bullets(_dated(e) for e in project.events))
        facts += project.events
    if project.outcomes:
        parts.append("Results:\n" + bullets(o.text for o in project.outcomes))
        facts += project.outcomes
    if project.status:
        parts.append(sentence(project.status.text))
        facts.append(project.status)
    if not parts:
        return f"The page doesn't describe events or results of {_title(project)}.", [project]
    return f"{_title(project)}\n\n" + "\n\n".join(parts), facts


def _dated(event) -> str:
    return f"{event.date}: {event.text}" if event.date else event.text


def _details(project: Project) -> tuple:
    title = _title(project)
    programme = "" if project.programme.lower() in title.lower() else f", {project.programme}"
    lines = [f"{title}{programme}. {ROLE[project.role]}."]
    facts: List[Cited] = [project]
    coordinator = _organisation(project.coordinator)
    if coordinator:
        lines.append(f"- **Coordinator**: {coordinator}")
    funder = _organisation(project.funder)
    if funder:
        lines.append(f"- **With**: {funder}")
    involved = [_organisation(org_id) for org_id in project.involved]
    if involved:
        lines.append("- **Also involved in its activities**: " + "; ".join(filter(None, involved)))
    if project.period:
        lines.append(f"- **Period**: {project.period.start}–{project.period.end}")
        facts.append(project.period)
    if project.members:
        lines.append(f"- **Members**: {project.members.text}")
        facts.append(project.members)
    if project.aims:
        lines.append("- **Aims**: " + "; ".join(a.text for a in project.aims))
        facts += project.aims
    if project.outcomes and not project.aims:
        lines.append("- **Results**: " + "; ".join(o.text for o in project.outcomes))
        facts += project.outcomes
    if project.status:
        lines.append(f"- **Status**: {project.status.text}")
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
    reply.text = (
        f"The page doesn't list all the member universities of **{acronym}** by name; this is "
        f"what it says about it:\n\n{reply.text}"
    )
    return reply


def project(project_text: str | None, aspect: str = "details") -> Answer:
    """One aspect of a project; asks which project when none is known from the conversation."""
    index = knowledge()
    found = index.project(project_text)
    topic = f"project_{aspect}"
    if found is None:
        intro = (
            f"I don't know a project called {quoted(project_text)}."
            if project_text
            else "Which project do you mean?"
        )
        names = join([p.acronym for p in index.kb.projects], "or")
        buttons = [
            Button.ask(p.acronym, f"ask_project_{aspect}", project=p.acronym)
            for p in index.kb.projects[:5]
        ]
        return Answer(f"{intro} BEU's projects are {names}.", buttons, topic, known=False)
    body, facts = RENDER[aspect](found)
    return answer(body, facts, _buttons(found, aspect), topic, project=found.acronym)


def projects_with(organisation: str) -> Answer:
    """The projects BEU runs with one organisation ("what do you do with the British Council?")."""
    index = knowledge()
    org = index.organisation(organisation)
    if org is None:
        return project(None)
    links = [link for link in index.organisation_links(org.id) if link.kind == "project"]
    if not links:
        return project(None)
    body = f"Projects with **{org.name}**:\n" + bullets(
        f"**{link.label}**: {link.detail}" for link in links
    )
    return answer(body, [org], [Button.ask("All projects", "ask_projects")], "projects")


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
        body = f"The page names no project of BEU's with a partner in **{country.name}**."
        reply = projects_overview()
        reply.text = f"{body}\n\n{reply.text}"
        return reply
    body = f"BEU's projects with partners in **{country.name}**: " + join(acronyms) + "."
    facts = [p for p in index.kb.projects if p.acronym in acronyms]
    buttons = [Button.ask(a, "ask_project_details", project=a) for a in acronyms[:5]]
    reply = answer(body, facts, buttons, topic="projects")
    reply.listed = [f"project:{a}" for a in acronyms]
    return reply


def projects_overview() -> Answer:
    kb = knowledge().kb
    by_programme: Dict[str, List[str]] = {}
    for item in kb.projects:
        label = _title(item)
        coordinator = _organisation(item.coordinator)
        if coordinator:
            label += f", coordinated by {coordinator}"
        if item.period:
            label += f", {item.period.start}–{item.period.end}"
        by_programme.setdefault(item.programme, []).append(label)
    intro = " ".join(sentence(group.text) for group in kb.project_groups)
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
    reply.text = (
        "I don't have a direct answer to that, but the page mentions it in the "
        f"**{acronym}** project:\n\n{reply.text}"
    )
    return reply
