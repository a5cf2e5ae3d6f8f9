"""Every quote must stand in the source; every factual sentence of the source must be cited."""

import shutil

import pytest
import yaml

from bot import paths
from bot.kb.load import KnowledgeError, load_kb
from bot.kb.provenance import iter_cited, normalise, uncited_sentences

SOURCE = paths.SOURCES / "beu-international-relations.txt"


def test_every_fact_has_a_quote_found_in_the_source():
    kb = load_kb()
    source = normalise(SOURCE.read_text(encoding="utf-8"))
    facts = list(iter_cited(kb))
    assert len(facts) > 60
    for path, fact in facts:
        for quote in fact.quote:
            assert normalise(quote) in source, path


def test_a_changed_source_sentence_is_caught(tmp_path):
    sources = tmp_path / "sources"
    shutil.copytree(paths.SOURCES, sources)
    changed = sources / SOURCE.name
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text.replace("95 students from 17 countries", "96 students"), "utf-8")
    with pytest.raises(KnowledgeError) as error:
        load_kb(sources_dir=sources)
    assert "international_students.quote: quote not found" in str(error.value)
    assert "95 students from 17 countries" in str(error.value)


def test_a_missing_source_file_is_reported(tmp_path):
    with pytest.raises(KnowledgeError, match=r"source file 'beu-international-relations\.txt'"):
        load_kb(sources_dir=tmp_path)


def test_the_source_is_fully_covered():
    kb = load_kb()
    assert uncited_sentences(kb, SOURCE.read_text(encoding="utf-8")) == []


def test_removing_a_fact_shows_up_in_the_coverage_report(tmp_path):
    data = yaml.safe_load(paths.KB_FILE.read_text(encoding="utf-8"))
    del data["projects"][-1]["outcomes"]  # the DAAD doctorate sentence is cited only there
    path = tmp_path / "kb.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    kb = load_kb(path)
    report = uncited_sentences(kb, SOURCE.read_text(encoding="utf-8"))
    assert [r.sentence for r in report] == [
        "The University employee of the Faculty of Engineering has been granted the right to "
        "pursue a doctorate in the program."
    ]


def test_headings_are_not_counted_as_facts():
    kb = load_kb()
    assert {n.text for n in kb.non_factual} == {
        "International Relations",
        "International relations of BEU are developed as follows:",
        "Web site :",
    }
