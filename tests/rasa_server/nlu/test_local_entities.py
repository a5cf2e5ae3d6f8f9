"""The Rasa component: local names become entities with canonical values, trained from the
generated table and loaded from the model; the role component reads the message's language."""

import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import paths
from bot.rasa_server.nlu.entity_roles import CountryRoles
from bot.rasa_server.nlu.local_entities import LocalNameExtractor


@pytest.fixture(scope="module")
def extractor(tmp_path_factory):
    if not paths.LOCAL_NAMES.exists():
        pytest.fail("run `make kb` first: the extractor reads build/local_names.json")
    storage = LocalModelStorage(tmp_path_factory.mktemp("local"))
    config = {**LocalNameExtractor.get_default_config(), "table": str(paths.LOCAL_NAMES)}
    component = LocalNameExtractor.create(config, storage, Resource("local"), None)
    component.train(TrainingData([]))
    return LocalNameExtractor.load(config, storage, Resource("local"), None)


def parse(extractor, text, entities=(), language=None):
    message = Message(data={"text": text, "entities": list(entities)})
    if language:
        message.set("language", {"code": language, "alternatives": []})
    extractor.process([message])
    CountryRoles({"language": "en"}).process([message])
    return [(e["entity"], e["value"], e.get("role")) for e in message.get("entities")]


def test_local_names_with_their_roles(extractor):
    assert parse(extractor, "Я из России, есть партнёры в Польше?", language="ru") == [
        ("country", "Russia", "origin"),
        ("country", "Poland", "destination"),
    ]
    # no language on the parse data: the names' own script and endings choose the cues
    assert parse(extractor, "Türkiye'den geliyorum, Polonya'da okumak istiyorum") == [
        ("country", "Turkey", "origin"),
        ("country", "Poland", "destination"),
    ]


def test_an_existing_entity_is_kept_and_a_longer_local_name_replaces_one_inside_it(extractor):
    ruler = {"entity": "country", "value": "United States", "start": 0, "end": 7}
    text = "Amerika Birleşik Devletleri'nde partner var mı?"
    assert parse(extractor, text, [ruler], language="tr") == [
        ("country", "United States", "destination")
    ]
    project = {"entity": "project", "value": "PAWER", "start": 0, "end": 5}
    assert parse(extractor, "PAWER", [project]) == [("project", "PAWER", None)]


def test_an_untrained_extractor_finds_nothing(tmp_path):
    storage = LocalModelStorage(tmp_path)
    config = LocalNameExtractor.get_default_config()
    empty = LocalNameExtractor.load(config, storage, Resource("missing"), None)
    assert parse(empty, "в Польше") == []
