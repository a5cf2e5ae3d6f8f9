"""LiveFaqIndex: staff edits are searchable after the marker changes, without re-embedding
what didn't change (counted on the real encoder, wrapped)."""

from __future__ import annotations

import dataclasses
import threading
import time
from typing import List

import pytest

from bot.faq.retrieval import FaqDoc, LiveFaqIndex
from tests.faq.conftest import CountingEncoder


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Store:
    """Plain stand-in for the FAQ store: a list of docs and a version that bumps on each edit."""

    def __init__(self, docs: List[FaqDoc]) -> None:
        self.docs = list(docs)
        self.version = 0
        self.loads = 0
        self.fail = False

    def load(self) -> List[FaqDoc]:
        self.loads += 1
        if self.fail:
            raise ConnectionError("database is down")
        return list(self.docs)

    def marker(self) -> int:
        return self.version

    def publish(self, docs: List[FaqDoc]) -> None:
        self.docs = list(docs)
        self.version += 1


@pytest.fixture()
def setup(encoder, fixture_docs):
    store = Store(fixture_docs[:6])  # dorm, fees, deadline, visa letter, residence, English
    counting = CountingEncoder(encoder)
    clock = Clock()
    live = LiveFaqIndex(store.load, store.marker, counting, min_interval=1.0, clock=clock)
    return store, counting, clock, live


def test_first_search_builds_the_index(setup):
    store, counting, _, live = setup
    assert live.index is None
    assert live.best("is there a dorm for students").entry_id == 1
    assert store.loads == 1 and live.rebuilds == 1
    keys = [k for d in store.docs for k in d.key_texts()]
    assert sorted(counting.calls[0]) == sorted(keys)


def test_added_changed_and_removed_entries_after_the_marker_changes(setup):
    store, counting, clock, live = setup
    live.refresh()
    assert live.best("can someone pick me up at the airport") is None

    docs = {d.entry_id: d for d in store.docs}
    added = FaqDoc(
        50,
        "Is there an airport pickup when I arrive?",
        ["Will someone meet me at the airport?"],
        "Yes.",
        ["airport"],
    )
    changed = dataclasses.replace(
        docs[2],
        phrasings=[*docs[2].phrasings[:-1], "How much are the yearly fees for foreigners?"],
    )
    kept = [d for i, d in docs.items() if i not in (2, 3)]  # 3 (deadline) is removed
    store.publish([*kept, changed, added])
    counting.reset()

    # Within min_interval the old snapshot keeps answering and the store isn't even asked.
    assert live.best("can someone pick me up at the airport") is None
    assert store.loads == 1 and counting.texts == ["can someone pick me up at the airport"]

    clock.now += 1.0
    counting.reset()
    match = live.best("can someone pick me up at the airport")
    assert match is not None and match.entry_id == 50
    assert live.rebuilds == 2
    # Only new texts were embedded: the added entry's keys, the changed phrasing, the query.
    assert sorted(counting.texts) == sorted(
        [
            *added.key_texts(),
            "How much are the yearly fees for foreigners?",
            "can someone pick me up at the airport",
        ]
    )
    assert all(m.entry_id != 3 for m in live.search("application deadline", k=10))
    assert live.best("what are the yearly fees for foreigners").entry_id == 2


def test_unchanged_marker_does_not_reload(setup):
    store, counting, clock, live = setup
    live.refresh()
    counting.reset()
    for _ in range(3):
        clock.now += 5
        live.search("visa invitation letter")
    assert store.loads == 1 and live.rebuilds == 1
    assert counting.texts == ["visa invitation letter"] * 3


def test_a_failed_load_keeps_the_previous_snapshot(setup, caplog):
    store, _, clock, live = setup
    live.refresh()
    store.fail = True
    store.publish([])
    clock.now += 2
    assert live.best("is there a dorm for students").entry_id == 1
    assert "refresh failed" in caplog.text
    store.fail = False
    clock.now += 2
    assert live.best("is there a dorm for students") is None  # the (empty) edit arrives
    assert live.rebuilds == 2


def test_published_entry_is_answerable_within_five_seconds(encoder, fixture_docs):
    store = Store(fixture_docs[:6])
    live = LiveFaqIndex(store.load, store.marker, encoder)  # real clock, default interval
    live.refresh()
    entry = FaqDoc(
        60,
        "Where can I buy a local SIM card?",
        ["How do I get an Azerbaijani phone number?"],
        "At any shop.",
        ["SIM card"],
    )
    published = time.monotonic()
    store.publish([*store.docs, entry])
    while True:
        match = live.best("where to buy sim card in baku")
        if match is not None and match.entry_id == 60:
            break
        assert time.monotonic() - published < 5.0, "edit not visible within 5 s"
        time.sleep(0.05)
    assert time.monotonic() - published < 5.0


def test_concurrent_searches_during_edits(encoder, fixture_docs):
    store = Store(fixture_docs[:6])
    live = LiveFaqIndex(store.load, store.marker, encoder, min_interval=0.0)
    live.refresh()
    errors: List[BaseException] = []

    def ask() -> None:
        try:
            for _ in range(10):
                matches = live.search("is there a dorm for students", k=2)
                assert matches and matches[0].entry_id in {d.entry_id for d in fixture_docs}
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for n in range(5):
        store.publish(fixture_docs[: 6 + n])
        time.sleep(0.01)
    for thread in threads:
        thread.join()
    assert not errors
    live.refresh()
    assert len(live.index) == 10
