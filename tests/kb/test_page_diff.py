"""`diff_page` and `python -m bot kb diff` on page versions edited by hand (tests/kb/pages/):
changed figures, a removed item, added sentences, a reordered paragraph, whitespace-only changes."""

import json
from pathlib import Path

import pytest
import yaml

from bot import paths
from bot.__main__ import main as bot_main
from bot.kb.load import load_kb
from bot.kb.page_diff import diff_page, format_report
from bot.kb.page_text import MAX_PAGE_BYTES, PageTextError, decode_page
from bot.kb.provenance import normalise
from bot.kb.schema import KnowledgeBase

PAGES = Path(__file__).parent / "pages"
SOURCE = paths.SOURCES / "beu-international-relations.txt"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_kb()


@pytest.fixture(scope="module")
def old() -> str:
    return SOURCE.read_text(encoding="utf-8")


def page(name: str) -> str:
    return (PAGES / name).read_bytes().decode("utf-8")


def kb_with(changes: dict) -> KnowledgeBase:
    """The knowledge base with some facts' quotes replaced (what a fact with several quotes is)."""
    data = yaml.safe_load(paths.KB_FILE.read_text(encoding="utf-8"))
    for (section, key), quotes in changes.items():
        data[section][key]["quote"] = quotes
    return KnowledgeBase.parse_obj(data)


def test_changed_figures_are_shown_side_by_side_with_the_quote_as_it_now_reads(kb, old):
    new = page("changed_figures.txt")
    diff = diff_page(kb, old, new)
    assert [f.path for f in diff.changed] == [
        "international_students",
        "programmes.english_taught",
        "mobility.students",
    ]  # page order
    assert diff.vanished == [] and diff.new_sentences == [] and diff.removed_sentences == []
    students = diff.changed[0].quotes[0]
    assert "95 students from 17 countries" in students.old_sentence
    assert "140 students from 21 countries" in students.new_sentence
    assert students.suggested_quote.startswith("Currently, 140 students from 21 countries")
    english = diff.changed[1].quotes[0]
    assert english.suggested_quote == (
        "The presence of 24 specialties in English at BEU increases the interest in the "
        "University among foreign academic staff and students."
    )
    for fact in diff.changed:
        for change in fact.quotes:
            assert change.similarity > 0.9
            assert normalise(change.suggested_quote) in normalise(new)  # a valid new quote
    assert any("Currently, 140 students" in line for line in format_report(diff).splitlines())


def test_a_removed_item_makes_its_facts_vanish(kb, old):
    diff = diff_page(kb, old, page("removed_item.txt"))
    assert diff.changed == []
    assert [f.path for f in diff.vanished] == [
        "projects[magnus]",
        "organisations[linkoping]",
        "projects[magnus].period",
    ]
    assert all(q.new_sentence is None for f in diff.vanished for q in f.quotes)
    assert "MAGNUS" in diff.vanished[0].quotes[0].old_sentence
    assert diff.new_sentences == [] and diff.removed_sentences == []


def test_added_sentences_are_listed_and_nothing_is_flagged(kb, old):
    diff = diff_page(kb, old, page("added_sentences.txt"))
    assert diff.flagged == []
    assert diff.new_sentences == [
        "In 2024 the University signed a bilateral agreement with Tohoku University in Japan.",
        "The International Office is open to students from Monday to Friday.",
    ]


@pytest.mark.parametrize("name", ["reordered.txt", "whitespace.txt"])
def test_reordered_and_whitespace_only_versions_flag_nothing(kb, old, name):
    diff = diff_page(kb, old, page(name))
    assert diff.identical, format_report(diff)
    assert diff.unchanged  # every sentence is reported as unchanged
    assert not (diff.flagged or diff.new_sentences or diff.rewritten or diff.removed_sentences)


def test_a_reordered_page_keeps_every_sentence_unchanged(kb, old):
    same = diff_page(kb, old, old)
    reordered = diff_page(kb, old, page("reordered.txt"))
    assert sorted(reordered.unchanged) == sorted(same.unchanged)
    assert reordered.unchanged != same.unchanged  # in the new version's order


def test_a_fact_with_several_quotes_is_flagged_once_with_each_changed_quote(old):
    kb = kb_with(
        {
            ("mobility", "students"): [
                "a total of 30 students have been involved",
                "Over the last 4 semesters through these exchange programs",  # still stands
                "The presence of 18 specialties in English",
            ]
        }
    )
    diff = diff_page(kb, old, page("changed_figures.txt"))
    flagged = [f for f in diff.flagged if f.path == "mobility.students"]
    assert len(flagged) == 1
    assert [q.quote for q in flagged[0].quotes] == [
        "a total of 30 students have been involved",
        "The presence of 18 specialties in English",
    ]
    assert [q.suggested_quote for q in flagged[0].quotes] == [
        "a total of 45 students have been involved",
        "The presence of 24 specialties in English",
    ]


def test_a_quote_over_two_sentences_follows_the_edited_one(old):
    kb = kb_with(
        {
            ("mobility", "students"): [
                "a total of 30 students have been involved. More than 40 university employees"
            ]
        }
    )
    diff = diff_page(kb, old, page("changed_figures.txt"))
    (change,) = next(f for f in diff.changed if f.path == "mobility.students").quotes
    assert change.suggested_quote == (
        "a total of 45 students have been involved. More than 40 university employees"
    )
    assert change.new_sentence.startswith("Over the last 4 semesters")
    assert change.new_sentence.endswith("through a variety of projects and programs.")


def test_an_unrelated_rewrite_is_vanished_plus_a_new_sentence(kb, old):
    before = "Over the last 4 semesters through these exchange programs, a total of 30 students"
    assert before in old
    new = old.replace(
        before + " have been involved.", "Exchange places are announced every spring by e-mail."
    )
    diff = diff_page(kb, old, new)
    assert [f.path for f in diff.vanished] == ["mobility.students"]
    assert diff.changed == []
    assert diff.new_sentences == ["Exchange places are announced every spring by e-mail."]


def test_new_headings_listed_as_non_factual_are_not_new_sentences(old):
    data = yaml.safe_load(paths.KB_FILE.read_text(encoding="utf-8"))
    data["non_factual"].append({"text": "Our partners", "why": "heading"})
    kb = KnowledgeBase.parse_obj(data)
    new = old.replace("International Relations\n", "International Relations\n\nOur partners\n", 1)
    assert diff_page(kb, old, new).new_sentences == []
    assert diff_page(load_kb(), old, new).new_sentences == ["Our partners"]


def test_an_edit_around_a_quote_that_still_stands_flags_no_fact(old):
    sentence = "Over the last 4 semesters through these exchange programs, a total of 30 students"
    kb = kb_with({("mobility", "students"): [sentence + " have been"]})
    new = old.replace(sentence + " have been involved.", sentence + " have been taking part.")
    diff = diff_page(kb, old, new)
    assert diff.flagged == [] and diff.new_sentences == []
    assert diff.rewritten == [sentence + " have been taking part."]  # mostly the quote: cited
    assert diff.removed_sentences == [sentence + " have been involved."]
    # A quote covering too little of its edited sentence leaves that sentence uncited: new.
    kb = kb_with({("mobility", "students"): ["a total of 30 students have been involved"]})
    new = old.replace("Over the last 4 semesters", "Over the last four semesters")
    diff = diff_page(kb, old, new)
    assert diff.flagged == [] and diff.rewritten == []
    assert diff.new_sentences == [
        "Over the last four semesters through these exchange programs, a total of 30 students "
        "have been involved."
    ]


def test_the_report_is_stable(kb, old):
    new = page("changed_figures.txt") + "\nA new closing sentence about the office.\n"
    assert diff_page(kb, old, new).to_dict() == diff_page(kb, old, new).to_dict()


def diff_main(argv: list) -> int:
    return bot_main(["kb", "diff", *argv])


@pytest.fixture
def no_staff_db(monkeypatch, tmp_path):
    """The CLI compares with knowledge/ when there is no staff database."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'absent.sqlite3'}")


def test_cli_prints_the_json_report(no_staff_db, capsys):
    assert diff_main([str(PAGES / "removed_item.txt"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["compared_with"] == "knowledge/sources/beu-international-relations.txt"
    assert report["vanished"][0]["path"] == "projects[magnus]"
    assert report["vanished"][0]["quotes"][0]["new_sentence"] is None


def test_cli_prints_the_text_report(no_staff_db, capsys):
    assert diff_main([str(PAGES / "changed_figures.txt")]) == 0
    out = capsys.readouterr().out
    assert "3 fact(s) changed, 0 vanished" in out
    assert "      new: Over the last 4 semesters" in out


@pytest.mark.parametrize(
    "content, message",
    [
        (b"%PDF-1.7\n\x00\x01binary", "binary"),
        ("Ünïcode".encode("latin-1") + b" text", "not UTF-8"),
        (b"x" * (MAX_PAGE_BYTES + 1), "at most 200 kB"),
        (b"  \n\n ", "empty"),
    ],
)
def test_cli_refuses_what_is_not_a_page_version(no_staff_db, tmp_path, capsys, content, message):
    path = tmp_path / "upload.txt"
    path.write_bytes(content)
    assert diff_main([str(path)]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""
    with pytest.raises(PageTextError, match=message):
        decode_page(content)


def test_cli_on_a_missing_file(no_staff_db, tmp_path, capsys):
    assert diff_main([str(tmp_path / "nope.txt")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_a_reordered_version_through_the_cli(no_staff_db, capsys):
    assert diff_main([str(PAGES / "reordered.txt")]) == 0
    assert "0 fact(s) changed, 0 vanished, 0 new sentence(s)" in capsys.readouterr().out


def test_byte_order_mark_and_windows_line_ends_are_read(kb, old):
    text = decode_page(b"\xef\xbb\xbf" + old.replace("\n", "\r\n").encode("utf-8"))
    assert diff_page(kb, old, text).identical
