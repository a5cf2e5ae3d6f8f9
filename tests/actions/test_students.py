from actions.students import ActionInternationalStudents, ActionScholarships
from tests.helpers import create_tracker, run_action, said


def test_student_body():
    tracker = create_tracker("how many foreign students", "ask_international_students")
    text = said(run_action(ActionInternationalStudents(), tracker)[0])
    assert "95 international students" in text and "17 countries" in text
    assert "ukraine" in text and "peru" in text


def test_students_from_a_listed_country():
    tracker = create_tracker("ukrainians?", "ask_international_students", {"country": "Ukraine"})
    assert said(run_action(ActionInternationalStudents(), tracker)[0]).startswith("yes")


def test_the_writers_own_country_is_still_the_subject():
    # "i am from peru. are there students from my country?": the NLU marks Peru as the origin
    tracker = create_tracker(
        "i am from peru. are there students from my country?",
        "ask_international_students",
        {"country": "Peru"},
    )
    tracker.latest_message["entities"][0]["role"] = "origin"
    assert said(run_action(ActionInternationalStudents(), tracker)[0]).startswith("yes")


def test_students_from_an_unlisted_country_is_a_correct_no():
    tracker = create_tracker("nigerians?", "ask_international_students", {"country": "Nigeria"})
    text = said(run_action(ActionInternationalStudents(), tracker)[0])
    assert text.startswith("no, **nigeria** is not among")


def test_scholarship_support():
    text = said(
        run_action(ActionScholarships(), create_tracker("scholarships", "ask_scholarships"))[0]
    )
    assert "fulbright" in text and "ugrad" in text and "chevening" in text


def test_scholarship_typo_from_the_source_is_understood():
    tracker = create_tracker("fulbrayt", "ask_scholarships", {"scholarship": "Fulbrayt"})
    assert "yes, **fulbright** is one of them" in said(run_action(ActionScholarships(), tracker)[0])
