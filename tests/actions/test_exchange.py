from actions.exchange import (
    ActionBilateral,
    ActionErasmus,
    ActionExchangeProgrammes,
    ActionMevlana,
    ActionMobilityNumbers,
    ActionPartners,
)
from tests.helpers import create_tracker, run_action, said


def test_erasmus_shows_both_conflicting_figures_and_names_the_difference():
    messages, slots = run_action(ActionErasmus(), create_tracker("erasmus?", "ask_erasmus"))
    text = said(messages)
    assert "18 universities" in text and "17 universities" in text
    assert "only one of the lists includes united kingdom and poland" in text
    assert "as of 2019" in text
    assert slots["topic"] == "erasmus_ka1"


def test_bilateral_shows_both_claims():
    text = said(run_action(ActionBilateral(), create_tracker("bilateral", "ask_bilateral"))[0])
    assert "more than 10 universities" in text
    assert "11 european and 4 local" in text
    assert "china" in text and "croatia" in text


def test_mevlana_is_five_turkish_universities_stated_once():
    text = said(run_action(ActionMevlana(), create_tracker("mevlana", "ask_mevlana"))[0])
    assert "5 universities in turkey" in text
    assert "different figures" not in text  # the two sentences agree


def test_partner_in_a_partner_country():
    tracker = create_tracker("partners in italy?", "ask_partners", {"country": "Italy"})
    messages, slots = run_action(ActionPartners(), tracker)
    text = said(messages)
    assert text.startswith("yes")
    assert "erasmus+ ka1" in text and "pawer" in text and "aquila" in text
    assert slots["country"] == "Italy"


def test_partner_in_a_country_without_partners_is_a_plain_no_with_what_exists():
    tracker = create_tracker("partners in japan?", "ask_partners", {"country": "Japan"})
    text = said(run_action(ActionPartners(), tracker)[0])
    assert text.startswith("no, the page lists no partner")
    assert "germany" in text and "latvia" in text


def test_partner_countries_without_a_country_lists_them_by_programme():
    text = said(
        run_action(ActionPartners(), create_tracker("partner countries", "ask_partners"))[0]
    )
    for country in ("germany", "united kingdom", "italy", "czech republic", "latvia", "croatia"):
        assert country in text


def test_partner_university_by_name():
    tracker = create_tracker("heidelberg?", "ask_partners", {"university": "Heidelberg University"})
    text = said(run_action(ActionPartners(), tracker)[0])
    assert "heidelberg university" in text and "nizami" in text


def test_exchange_overview_lists_what_exchanges_include():
    tracker = create_tracker("exchange options", "ask_exchange_programmes")
    text = said(run_action(ActionExchangeProgrammes(), tracker)[0])
    assert "exchange of teachers and students" in text
    assert "mevlana" in text and "bilateral" in text


def test_mobility_numbers():
    tracker = create_tracker("how many went abroad", "ask_mobility_numbers")
    text = said(run_action(ActionMobilityNumbers(), tracker)[0])
    assert "30 students" in text and "more than 40" in text and "4 semesters" in text


def test_exchange_question_naming_a_country_answers_for_that_country():
    tracker = create_tracker(
        "semester in poland?", "ask_exchange_programmes", {"country": "Poland"}
    )
    assert said(run_action(ActionExchangeProgrammes(), tracker)[0]).startswith(
        "yes, beu has partners in **poland**"
    )


def test_the_students_own_country_is_not_taken_for_a_destination():
    text = "what exchange programs can I join as a student from Kazakhstan?"
    tracker = create_tracker(text, "ask_exchange_programmes", {"country": "Kazakhstan"})
    answer = said(run_action(ActionExchangeProgrammes(), tracker)[0])
    assert "kazakhstan" not in answer.split("\n")[0]
    assert "erasmus+ ka1" in answer and "mevlana" in answer


def test_partner_universities_from_a_country_is_still_a_destination():
    tracker = create_tracker(
        "partner universities from Italy?", "ask_partners", {"country": "Italy"}
    )
    assert said(run_action(ActionPartners(), tracker)[0]).startswith(
        "yes, beu has partners in **italy**"
    )
