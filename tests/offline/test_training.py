"""Training is skipped exactly when the content of its inputs is unchanged."""

import os

from bot.offline.training import fingerprint, training_inputs


def make_project(root):
    (root / "data").mkdir()
    (root / "bot" / "rasa_server" / "nlu").mkdir(parents=True)
    (root / "config.yml").write_text("pipeline: []\n")
    (root / "domain.yml").write_text("intents: [greet]\n")
    (root / "data" / "nlu.yml").write_text("nlu: []\n")
    (root / "bot" / "rasa_server" / "nlu" / "component.py").write_text("x = 1\n")


def test_touching_a_file_does_not_change_the_fingerprint(tmp_path):
    make_project(tmp_path)
    before = fingerprint(training_inputs(tmp_path), tmp_path)
    os.utime(tmp_path / "data" / "nlu.yml", (1, 1))
    assert fingerprint(training_inputs(tmp_path), tmp_path) == before


def test_editing_data_or_a_component_changes_it(tmp_path):
    make_project(tmp_path)
    before = fingerprint(training_inputs(tmp_path), tmp_path)
    (tmp_path / "data" / "nlu.yml").write_text("nlu: [x]\n")
    after_data = fingerprint(training_inputs(tmp_path), tmp_path)
    (tmp_path / "bot" / "rasa_server" / "nlu" / "component.py").write_text("x = 2\n")
    assert len({before, after_data, fingerprint(training_inputs(tmp_path), tmp_path)}) == 3


def test_a_new_generated_file_changes_it(tmp_path):
    make_project(tmp_path)
    before = fingerprint(training_inputs(tmp_path), tmp_path)
    (tmp_path / "data" / "generated").mkdir()
    (tmp_path / "data" / "generated" / "entities.yml").write_text("nlu: []\n")
    assert fingerprint(training_inputs(tmp_path), tmp_path) != before
