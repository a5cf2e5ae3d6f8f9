from actions.follow_up import ActionFollowUp
from tests.helpers import create_tracker, run_action, said


def follow_up(entities, topic):
    tracker = create_tracker("what about it?", "follow_up", entities, slots={"topic": topic})
    return said(run_action(ActionFollowUp(), tracker)[0])


def test_what_about_latvia_after_partners_in_germany():
    text = follow_up({"country": "Latvia"}, "partners")
    assert text.startswith("yes, beu has partners in **latvia**")


def test_and_nigeria_after_a_students_question():
    assert follow_up({"country": "Nigeria"}, "students").startswith("no, **nigeria**")


def test_and_creng_after_a_coordinator_question_keeps_the_aspect():
    assert "coordinated by **warsaw polytechnic university" in follow_up(
        {"project": "CRENG"}, "project_coordinator"
    )


def test_a_project_after_another_topic_gives_its_details():
    assert "linköping" in follow_up({"project": "MAGNUS"}, "partners")


def test_nothing_recognised_is_an_honest_fallback():
    assert follow_up({}, "partners").startswith("i'm sorry, i don't have an answer")
