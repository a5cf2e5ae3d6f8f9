"""The gazetteer component follows the live knowledge base: a university staff add to the staff
database after training becomes an entity as soon as the Rasa process has reloaded, and stops
being one when it is taken out again. On the session's real staff database (tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa_server.nlu.live_names import LiveNameExtractor
from bot.staff_db.db import make_engine
from bot.staff_db.knowledge import KnowledgeRepository
from tests.live_db import answering_from_the_database, reloaded

UNIVERSITY = {
    "id": "kyoto_sangyo",
    "name": "Kyoto Sangyo University",
    "aliases": ["KSU Kyoto"],
    "country": "JP",
    "kind": "university",
    "confirmed": {"by": "Test Staff", "date": dt.date(2026, 12, 1), "note": "partner's e-mail"},
}


@pytest.fixture(scope="module")
def extractor(tmp_path_factory):
    storage = LocalModelStorage(tmp_path_factory.mktemp("live-names"))
    config = LiveNameExtractor.get_default_config()
    LiveNameExtractor.create(config, storage, Resource("live"), None).train(TrainingData())
    return LiveNameExtractor.load(config, storage, Resource("live"), None)


@pytest.fixture()
def repository():
    engine = make_engine(os.environ["DATABASE_URL"])  # the session's staff database
    with answering_from_the_database():
        yield KnowledgeRepository(engine)
    engine.dispose()


def extract(extractor, text, entities=()):
    message = Message(data={"text": text, "entities": list(entities)})
    extractor.process([message])
    return [(e["entity"], e["value"]) for e in message.get("entities") or []]


def test_a_trained_model_knows_the_names_of_knowledge_yml(extractor):
    assert "tbilisi state university" in extractor.trained and len(extractor.trained) > 100
    assert extract(extractor, "Is Tbilisi State University a partner?") == []


def test_a_university_added_after_training_is_an_entity_once_reloaded(extractor, repository):
    question = "Is Kyoto Sangyo University a partner?"
    assert extract(extractor, question) == []
    start = repository.current().revision
    path = repository.add_item("organisations", UNIVERSITY, who="tests")
    try:
        reloaded(repository)  # what the polling thread does within a second
        assert extract(extractor, question) == [("university", "Kyoto Sangyo University")]
        assert extract(extractor, "and ksu kyoto?") == [("university", "Kyoto Sangyo University")]
        partly = [{"entity": "organisation", "value": "x", "start": 20, "end": 28}]
        assert extract(extractor, question, partly) == [("organisation", "x")], "it stands"
        inside = [{"entity": "organisation", "value": "x", "start": 9, "end": 15}]
        expected = [("university", "Kyoto Sangyo University")]
        assert extract(extractor, question, inside) == expected, "the longer name wins"
    finally:
        version = repository.history(path)[-1].revision
        repository.rollback(path, start, version, who="tests")
        reloaded(repository)
    assert extract(extractor, question) == []
