import pytest

from actions.projects import (
    ActionProjectActivities,
    ActionProjectAims,
    ActionProjectCoordinator,
    ActionProjectDetails,
    ActionProjectPeriod,
    ActionProjects,
)
from tests.helpers import create_tracker, run_action, said


def test_project_details_name_coordinator_period_and_aims():
    tracker = create_tracker("what is nizami", "ask_project_details", {"project": "NIZAMI"})
    messages, slots = run_action(ActionProjectDetails(), tracker)
    text = said(messages)
    assert "doctoral" in text and "university of montpellier (france)" in text
    assert "2015–2018" in text
    assert slots.pop("feedback_answer")["facts"], "👍/👎 offered (tests/actions/test_feedback.py)"
    assert slots == {
        "answers_since_feedback": 0.0,
        "topic": "project_details",
        "project": "NIZAMI",
        "failed_answers": 0.0,
        "language": "en",  # the conversation's language, from now on
    }


@pytest.mark.parametrize(
    ("project", "expected"),
    [
        ("PROMIG", "tbilisi state university (georgia)"),
        ("PAWER", "università degli studi dell'aquila (italy)"),
        ("CRENG", "warsaw polytechnic university (poland)"),
        ("MAGNUS", "linköping university (sweden)"),
    ],
)
def test_coordinators(project, expected):
    tracker = create_tracker("who coordinates", "ask_project_coordinator", {"project": project})
    assert expected in said(run_action(ActionProjectCoordinator(), tracker)[0])


def test_coordinator_follow_up_uses_the_project_in_context():
    tracker = create_tracker(
        "who is the coordinator?", "ask_project_coordinator", slots={"project": "CRENG"}
    )
    assert "warsaw" in said(run_action(ActionProjectCoordinator(), tracker)[0])


def test_coordinators_with_no_project_in_context_lists_every_coordinator():
    tracker = create_tracker(
        "which universities coordinate your projects?", "ask_project_coordinator"
    )
    text = said(run_action(ActionProjectCoordinator(), tracker)[0])
    assert "coordinated by tbilisi state university (georgia), 2016–2019" in text
    assert "linköping university (sweden)" in text


def test_aims_with_no_project_in_context_asks_which_one():
    tracker = create_tracker("what are its aims?", "ask_project_aims")
    text = said(run_action(ActionProjectAims(), tracker)[0])
    assert text.startswith("which project do you mean?")
    assert "promig" in text


def test_project_without_a_coordinator_says_so_honestly():
    tracker = create_tracker("who runs famelab", "ask_project_coordinator", {"project": "FameLab"})
    text = said(run_action(ActionProjectCoordinator(), tracker)[0])
    assert "doesn't name a coordinator" in text and "british council" in text


def test_period():
    tracker = create_tracker("when", "ask_project_period", {"project": "PAWER"})
    assert "from **2016 to 2019**" in said(run_action(ActionProjectPeriod(), tracker)[0])


def test_aims_and_activities():
    tracker = create_tracker("aims", "ask_project_aims", {"project": "PAWER"})
    assert "ects credit system" in said(run_action(ActionProjectAims(), tracker)[0])
    tracker = create_tracker("events", "ask_project_activities", {"project": "PROMIG"})
    text = said(run_action(ActionProjectActivities(), tracker)[0])
    assert "summer school in tbilisi" in text and "3 beu employees and 2 graduate students" in text


def test_nizami_outcomes_include_the_heidelberg_quality_plan():
    tracker = create_tracker("results", "ask_project_activities", {"project": "NIZAMI"})
    text = said(run_action(ActionProjectActivities(), tracker)[0])
    assert "quality plan" in text and "heidelberg" in text


def test_projects_overview_lists_every_programme():
    text = said(run_action(ActionProjects(), create_tracker("projects", "ask_projects"))[0])
    for name in (
        "promig",
        "pawer",
        "nizami",
        "creng",
        "magnus",
        "horizon 2020",
        "creative spark",
        "famelab",
        "daad",
    ):
        assert name in text


def test_projects_with_an_organisation():
    tracker = create_tracker(
        "british council?", "ask_projects", {"organisation": "British Council"}
    )
    text = said(run_action(ActionProjects(), tracker)[0])
    assert "famelab" in text and "creative spark" in text


def test_details_with_no_project_named_or_in_context_lists_the_projects():
    text = said(
        run_action(ActionProjectDetails(), create_tracker("what is ka2", "ask_project_details"))[0]
    )
    assert "promig" in text and "magnus" in text


@pytest.mark.parametrize(
    "value",
    ['<img src=x onerror="alert(1)">', "[click](https://evil.example)", "x](javascript:alert(1))"],
)
def test_an_entity_value_from_a_payload_is_echoed_as_plain_text(value):
    """`/ask_project_details{"project": "<img ...>"}` is echoed without any markup."""
    from bot.links import link_targets, raw_html

    tracker = create_tracker(
        f'/ask_project_details{{"project": "{value}"}}', "ask_project_details", {"project": value}
    )
    text = run_action(ActionProjectDetails(), tracker)[0][0]["text"]
    assert text.startswith("I don't know a project called **")
    assert raw_html(text) == [] and "evil.example" not in text
    assert all(t.startswith("https://") for t in link_targets(text)), text
