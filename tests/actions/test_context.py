"""Questions that point back at the previous answer are answered about it."""

from __future__ import annotations

from actions.exchange import ActionMobilityNumbers, ActionPartners
from actions.office import ActionHonestFallback
from actions.projects import ActionProjects
from tests.helpers import create_tracker, run_action, said


def test_the_second_one_is_the_second_item_of_the_last_list():
    _, slots = run_action(ActionProjects(), create_tracker("your projects?", "ask_projects"))
    second = slots["listed"][1].split(":")[1]
    tracker = create_tracker(
        "and the second one?", "nlu_fallback", slots={"listed": slots["listed"]}
    )
    text = said(run_action(ActionHonestFallback(), tracker)[0])
    assert text.startswith(f"**{second.lower()}**")
    last = create_tracker("tell me about the last one", "nlu_fallback", slots=slots)
    assert slots["listed"][-1].split(":")[1].lower() in said(
        run_action(ActionHonestFallback(), last)[0]
    )


def test_how_many_right_after_a_programme_is_its_count_not_mobility():
    tracker = create_tracker("how many?", "ask_mobility_numbers", slots={"topic": "mevlana"})
    text = said(run_action(ActionMobilityNumbers(), tracker)[0])
    assert "5 universities in turkey" in text
    assert "internship" not in text


def test_how_many_without_context_is_still_mobility():
    text = said(
        run_action(ActionMobilityNumbers(), create_tracker("how many?", "ask_mobility_numbers"))[0]
    )
    assert "internship" in text


def test_which_universities_are_in_it_after_a_project():
    slots = {"topic": "project_details", "project": "CRENG"}
    tracker = create_tracker("which universities are in it?", "ask_partners", slots=slots)
    text = said(run_action(ActionPartners(), tracker)[0])
    assert "warsaw" in text and "by programme" not in text


def test_a_named_subject_wins_over_context():
    tracker = create_tracker(
        "and the second one in Italy?",
        "ask_partners",
        {"country": "Italy"},
        slots={"listed": ["project:CRENG", "project:PAWER"]},
    )
    assert "italy" in said(run_action(ActionPartners(), tracker)[0])
