from actions.programmes import ActionDualDegree, ActionEnglishProgrammes, ActionPopularDepartments
from tests.helpers import create_tracker, run_action, said


def test_english_programmes_gives_the_count_and_admits_the_list_is_missing():
    tracker = create_tracker("programmes in english", "ask_english_programmes")
    text = said(run_action(ActionEnglishProgrammes(), tracker)[0])
    assert "18 specialties taught in english" in text
    assert "doesn't list which specialties" in text


def test_popular_departments():
    tracker = create_tracker("what do foreigners study", "ask_popular_departments")
    text = said(run_action(ActionPopularDepartments(), tracker)[0])
    assert "computer engineering" in text and "mathematics and informatics teaching" in text


def test_dual_degree_uses_the_canonical_spelling():
    text = said(run_action(ActionDualDegree(), create_tracker("dual degree", "ask_dual_degree"))[0])
    assert "chemical engineering" in text and "bragança" in text and "portugal" in text
    assert "braganzça" not in text


def test_a_named_department_gets_an_honest_specific_answer():
    tracker = create_tracker(
        "is computer engineering in english?",
        "ask_english_programmes",
        {"department": "Computer Engineering"},
    )
    text = said(run_action(ActionEnglishProgrammes(), tracker)[0])
    assert text.startswith(
        "the page doesn't say whether **computer engineering** is taught in english"
    )
    assert "18 specialties" in text and "mainly choose" in text
