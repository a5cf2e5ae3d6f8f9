"""The typo normaliser corrects misspelt words towards the training vocabulary, and only those."""

import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa_server.nlu.spelling import NORMALIZED_TEXT, TypoNormalizer


@pytest.fixture()
def normaliser(tmp_path):
    storage = LocalModelStorage(tmp_path)
    component = TypoNormalizer.create(
        TypoNormalizer.get_default_config(), storage, Resource("typo"), None
    )
    examples = ["how many foreign students study here", "how many foreign students are there"]
    component.train(TrainingData([Message(data={"text": t}) for t in examples]))
    return TypoNormalizer.load(component.config, storage, Resource("typo"), None)


def test_misspelt_words_are_corrected(normaliser):
    assert normaliser.normalise("how mny forein studnts") == "how many foreign students"


def test_known_words_and_unrelated_words_are_kept(normaliser):
    assert normaliser.normalise("how many students in Baku") == "how many students in baku"


def test_entity_spans_are_left_as_typed(normaliser):
    message = Message(data={"text": "studnts from Forein", "entities": [{"start": 13, "end": 19}]})
    normaliser.process([message])
    assert message.get(NORMALIZED_TEXT) == "students from Forein"
    assert message.get("text") == "studnts from Forein"


def test_a_rare_spelling_in_training_is_treated_as_a_typo(tmp_path):
    storage = LocalModelStorage(tmp_path)
    component = TypoNormalizer.create(
        TypoNormalizer.get_default_config(), storage, Resource("t"), None
    )
    examples = [
        "foreign students",
        "foreign students here",
        "our foreign students",
        "forein studnts",
    ]
    component.train(TrainingData([Message(data={"text": t}) for t in examples]))
    assert component.normalise("forein studnts") == "foreign students"


# Per-language vocabularies: a message is corrected only towards its own language's words.
ENGLISH = [
    "which universities are partners",
    "partner universities in poland",
    "partner universities list",
    "is there a partner university",
    "best programmes",
    "the best universities",
    "the best partner",
]
TURKISH = [
    "polonya'da anlaşmalı üniversite var mı",
    "üniversite listesi",
    "ortak üniversite var mı",
]
AZERBAIJANI = ["polşada tərəfdaş universitet var", "universitet haqqında", "tərəfdaş universitet"]


@pytest.fixture()
def multilingual(tmp_path):
    storage = LocalModelStorage(tmp_path)
    component = TypoNormalizer.create(
        TypoNormalizer.get_default_config(), storage, Resource("multi"), None
    )
    examples = [Message(data={"text": t}) for t in ENGLISH]
    for language, texts in (("tr", TURKISH), ("az", AZERBAIJANI)):
        examples += [
            Message(data={"text": t, "metadata": {"intent": {"language": language}}}) for t in texts
        ]
    component.train(TrainingData(examples))
    return TypoNormalizer.load(component.config, storage, Resource("multi"), None)


def detected(text: str, code, alternatives=()) -> Message:
    return Message(data={"text": text, "language": {"code": code, "alternatives": alternatives}})


def normalised(component, message: Message) -> str:
    component.process([message])
    return message.get(NORMALIZED_TEXT)


def test_vocabularies_are_kept_per_language(multilingual):
    assert set(multilingual.vocabularies) == {"en", "tr", "az"}
    assert "universitet" in multilingual.vocabularies["az"]
    assert "universitet" not in multilingual.vocabularies["en"]


def test_turkish_and_azerbaijani_words_are_not_made_english(multilingual):
    turkish = "Polonya'da anlaşmalı üniversite var mı?"
    assert normalised(multilingual, detected(turkish, "tr")) == (
        "polonya'da anlasmali universite var mi?"
    )
    azerbaijani = "Polşada tərəfdaş universitet var?"
    assert normalised(multilingual, detected(azerbaijani, "az")) == (
        "polsada terefdas universitet var?"
    )


def test_a_word_of_a_close_language_survives_a_wrong_detection(multilingual):
    # Azerbaijani typed without its letters can be detected as Turkish.
    assert normalised(multilingual, detected("universitet haqqinda", "tr")) == (
        "universitet haqqinda"
    )


def test_typos_are_corrected_within_the_language(multilingual):
    assert normalised(multilingual, detected("universtet haqqinda", "az")) == (
        "universitet haqqinda"
    )
    assert normalised(multilingual, detected("partnr universities", "en")) == (
        "partner universities"
    )


def test_a_language_without_training_data_is_left_alone(multilingual):
    # Russian typed in Latin letters: "est li" must not become "best li".
    assert normalised(multilingual, detected("est li partnery", "ru")) == "est li partnery"


def test_special_letters_are_folded_and_turkish_capital_i_stays_one_letter(multilingual):
    assert normalised(multilingual, detected("İtalya'da üniversite", "tr")) == (
        "italya'da universite"
    )


def test_undecidable_messages_use_the_vocabulary_the_word_belongs_to(multilingual):
    assert normalised(multilingual, detected("universitet", None)) == "universitet"
    assert normalised(multilingual, Message(data={"text": "partnr"})) == "partner"
