import pytest

from actions.office import (
    ActionAdmissions,
    ActionContact,
    ActionHonestFallback,
    ActionNotCovered,
    ActionOffice,
    ActionSource,
)
from tests.helpers import create_tracker, run_action, said


def test_admissions_names_the_department():
    text = said(run_action(ActionAdmissions(), create_tracker("admissions", "ask_admissions"))[0])
    assert "international relations and project management department" in text
    assert "international student admissions" in text


def test_contact_never_invents_an_address():
    messages, _ = run_action(ActionContact(), create_tracker("email?", "ask_contact"))
    text = said(messages)
    assert "@" not in text
    assert "i don't have their e-mail address" in text


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("how much is tuition", "fees, grants and other amounts of money"),
        ("what IELTS score do i need", "language requirements"),
        ("is there a dorm", "accommodation"),
        ("how do i get a student visa", "visas and residence permits"),
        ("when is the deadline", "application deadlines"),
    ],
)
def test_unknown_facts_get_an_honest_answer_naming_the_subject(question, subject):
    text = said(run_action(ActionNotCovered(), create_tracker(question, "ask_not_covered"))[0])
    assert f"i don't have information about **{subject}**" in text
    assert "international relations and project management department" in text
    assert not any(ch.isdigit() for ch in text.split("_source")[0])  # no made-up numbers


def test_office_mission_and_department():
    text = said(run_action(ActionOffice(), create_tracker("office", "ask_office"))[0])
    assert "vice-rectorate for international relations" in text
    assert "migration" in text and "conferences" in text


def test_fallback_is_honest_and_helpful():
    messages, slots = run_action(ActionHonestFallback(), create_tracker("qwerty", "nlu_fallback"))
    assert said(messages).startswith("i'm sorry, i don't have an answer to that")
    assert slots["topic"] == "fallback"


def test_source_answer_gives_the_as_of_date():
    assert "as of 2019" in said(
        run_action(ActionSource(), create_tracker("source", "ask_source"))[0]
    )


def test_fallback_naming_a_known_project_answers_about_it():
    tracker = create_tracker(
        "does BEU take part in Horizon 2020", "nlu_fallback", {"project": "Horizon 2020"}
    )
    text = said(run_action(ActionHonestFallback(), tracker)[0])
    assert "horizon 2020" in text and "beu takes part in it" in text


def test_an_event_question_routed_as_not_covered_is_answered_from_the_project():
    tracker = create_tracker("when was the winter school in india", "ask_not_covered")
    text = said(run_action(ActionNotCovered(), tracker)[0])
    assert text.startswith("i don't have a direct answer to that, but the page mentions it")
    assert "17–23 december 2018" in text and "promig" in text


def test_a_fee_question_mentioning_a_project_place_stays_honest():
    tracker = create_tracker("how much does a visa for tbilisi cost", "ask_not_covered")
    assert "i don't have information about" in said(run_action(ActionNotCovered(), tracker)[0])


def test_a_published_staff_faq_answer_comes_before_the_generic_not_covered_one():
    """knowledge/faq.yml seeds an entry on where documents go; the session database has it."""
    text = said(run_action(ActionNotCovered(), create_tracker("where do i send my documents"))[0])
    assert "international relations and project management department" in text
    assert "source: international office faq" in text
