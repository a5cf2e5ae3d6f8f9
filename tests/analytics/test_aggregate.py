"""The aggregate equals a brute-force count of the generated tracker store, on SQLite and on
PostgreSQL: after the first read, after new conversations, after retention deleted some, and
however often it is re-run. Filters by period, channel, language; Baku days."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Iterator, List

import pytest
import sqlalchemy as sa

from bot.analytics import aggregate, privacy
from bot.analytics.aggregate import forget_sender, refresh, watermark
from bot.analytics.report import BAKU, build_report
from bot.ops.retention import delete_conversations_older_than
from bot.staff_db import tables as t
from bot.staff_db.db import make_engine, migrate
from tests.analytics import generate as g

SALT = "test-salt"
END = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.timezone.utc)  # fixed: the figures are exact
DAYS = 40
COUNT = 300


def key(text: str) -> str:
    """Top questions are grouped by folded words (an independent spelling of text.py's rule)."""
    return " ".join(re.findall(r"\w+", text.casefold()))


def check(staff, conversations: List[g.Conversation], start, end, channel=None, language=None):
    report = build_report(staff, start, end, channel, language)
    expected = g.brute_force(conversations, start, end, channel, language)
    assert report.conversations == expected.conversations
    assert report.messages == expected.messages
    assert report.outcomes == {o: expected.outcomes.get(o, 0) for o in report.outcomes}
    assert {tc.topic: tc.questions for tc in report.top_topics} == dict(expected.topics)
    unanswered = {d.day: d.unanswered for d in report.unanswered_per_day if d.unanswered}
    assert unanswered == dict(expected.unanswered_days)
    assert {h.hour: h.messages for h in report.busiest_hours if h.messages} == dict(expected.hours)
    grouped: Counter = Counter()
    for text, count in expected.questions.items():
        grouped[key(text)] += count
    listed = [q.count for q in report.top_questions]
    assert listed == sorted(grouped.values(), reverse=True)[: len(listed)], "the most asked"
    assert len(listed) == min(len(grouped), 20)
    assert {key(q.text): q.count for q in report.top_questions} == {
        k: grouped[k] for k in (key(q.text) for q in report.top_questions)
    }
    answered = expected.outcomes["answered_fact"] + expected.outcomes["answered_faq"]
    asked = sum(expected.outcomes.values()) - expected.outcomes["chitchat"]
    assert report.answer_rate == round(answered / asked, 4)
    return report


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stores(request, tmp_path_factory) -> Iterator[tuple[sa.engine.Engine, sa.engine.Engine]]:
    """(staff database, tracker store), empty, on the parametrised backend."""
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("analytics")
        staff = make_engine(f"sqlite:///{folder}/staff.sqlite3")
        tracker = sa.create_engine(f"sqlite:///{folder}/tracker.sqlite3")
        migrate(staff)
        yield staff, tracker
        staff.dispose()
        tracker.dispose()
        return
    from tests.postgres import new_database

    server = request.getfixturevalue("postgres_server")
    with (
        new_database(server, "analytics_staff") as staff_url,
        new_database(server, "analytics_tracker") as tracker_url,
    ):
        staff, tracker = make_engine(staff_url), sa.create_engine(tracker_url)
        migrate(staff)
        yield staff, tracker
        staff.dispose()
        tracker.dispose()


@pytest.fixture(scope="module")
def filled(stores):
    """The stores after the first read of COUNT generated conversations."""
    staff, tracker = stores
    conversations = g.generate(COUNT, END, DAYS)
    g.store(tracker, conversations)
    result = refresh(staff, tracker, salt=SALT, settle_seconds=0)
    assert result.messages == sum(g.by_baku_day(conversations).values()) - sum(
        1
        for c in conversations
        for e in c.events
        if e["event"] == "user" and e["parse_data"]["intent"]["name"] == "feedback"
    )
    return staff, tracker, conversations


def test_the_aggregate_equals_a_brute_force_count(filled):
    staff, _tracker, conversations = filled
    end = END.astimezone(BAKU).date()
    report = check(staff, conversations, end - dt.timedelta(days=29), end)
    assert report.question_parts > 100 and 0 < report.answer_rate < 1
    check(staff, conversations, end - dt.timedelta(days=6), end)
    check(staff, conversations, end - dt.timedelta(days=DAYS + 1), end)  # all time


@pytest.mark.parametrize(
    ("channel", "language"), [("messenger", None), (None, "ru"), ("rest", "az")]
)
def test_filters_by_channel_and_language(filled, channel, language):
    staff, _tracker, conversations = filled
    end = END.astimezone(BAKU).date()
    report = check(staff, conversations, end - dt.timedelta(days=29), end, channel, language)
    assert 0 < report.messages < build_report(staff, end - dt.timedelta(days=29), end).messages
    assert report.channels == ["messenger", "rest", "socketio"]
    assert report.languages == ["az", "en", "ru", "tr"]


def test_no_sender_id_is_stored(filled):
    staff, _tracker, conversations = filled
    with staff.connect() as connection:
        stored = set(connection.execute(sa.select(t.analytics_parts.c.conversation)).scalars())
        conversation_rows = connection.execute(
            sa.select(sa.func.count()).select_from(t.analytics_conversations)
        ).scalar_one()
    senders = {c.sender_id for c in conversations}
    assert not stored & senders and all(len(h) == 64 for h in stored)
    assert conversation_rows == len(stored)


def test_new_conversations_are_read_incrementally_and_a_rerun_counts_nothing_twice(filled):
    staff, tracker, conversations = filled
    before = watermark(staff)
    later = g.generate(40, END + dt.timedelta(days=2), 2, seed=16, prefix="later")
    stored = g.store(tracker, later)
    result = refresh(staff, tracker, salt=SALT, settle_seconds=0)
    user_and_bot = sum(1 for c in later for e in c.events if e["event"] in ("user", "bot"))
    assert result.events_read == user_and_bot and watermark(staff) == before + stored
    everyone = conversations + later
    end = (END + dt.timedelta(days=2)).astimezone(BAKU).date()
    check(staff, everyone, end - dt.timedelta(days=DAYS + 3), end)

    assert refresh(staff, tracker, salt=SALT, settle_seconds=0).events_read == 0
    with aggregate.write_transaction(staff) as connection:  # an operator sets it back by hand
        connection.execute(
            sa.update(t.settings)
            .where(t.settings.c.key == t.ANALYTICS_WATERMARK_KEY)
            .values(value=str(before))
        )
    assert refresh(staff, tracker, salt=SALT, settle_seconds=0).events_read == user_and_bot
    check(staff, everyone, end - dt.timedelta(days=DAYS + 3), end)


def test_retention_keeps_the_counts_of_what_it_deletes(filled):
    staff, tracker, _conversations = filled
    old = g.generate(30, END - dt.timedelta(days=300), 5, seed=17, prefix="old")
    g.store(tracker, old)  # not read yet: retention must not delete them unread
    assert delete_conversations_older_than(tracker, 180, read_up_to=watermark(staff)) == 0
    read = refresh(staff, tracker, salt=SALT, settle_seconds=0).watermark
    assert delete_conversations_older_than(tracker, 180, read_up_to=read) == len(old)
    assert refresh(staff, tracker, salt=SALT, settle_seconds=0).events_read == 0
    first = (END - dt.timedelta(days=310)).astimezone(BAKU).date()
    check(staff, old, first, (END - dt.timedelta(days=290)).astimezone(BAKU).date())
    with tracker.connect() as connection:
        left = connection.execute(
            sa.select(sa.func.count()).where(g.EVENTS.c.sender_id.like("old-%"))
        ).scalar_one()
    assert left == 0


def test_deletion_by_reference_removes_the_texts_and_keeps_the_counts(filled):
    staff, _tracker, conversations = filled
    end = END.astimezone(BAKU).date()
    start = end - dt.timedelta(days=DAYS + 1)
    before = build_report(staff, start, end)
    asked = next(c for c in conversations if any(e["event"] == "user" for e in c.events))
    conversation = aggregate.Inbox(staff, salt=SALT).hash_sender(asked.sender_id)
    assert forget_sender(staff, asked.sender_id, salt=SALT) > 0
    assert privacy.forget_conversation(staff, conversation) == 0, "nothing left to forget"
    after = build_report(staff, start, end)
    assert (after.messages, after.outcomes) == (before.messages, before.outcomes)
    forgotten = g.brute_force([asked], start, end).questions
    dropped = Counter()
    for text, count in forgotten.items():
        dropped[key(text)] += count
    counts_before = {key(q.text): q.count for q in before.top_questions}
    for question in after.top_questions:
        k = key(question.text)
        if k in counts_before:
            assert question.count == counts_before[k] - dropped[k], question
    with staff.connect() as connection:
        texts = connection.execute(
            sa.select(t.analytics_parts.c.question).where(
                t.analytics_parts.c.conversation == conversation
            )
        ).scalars()
        assert set(texts) == {None}


def test_deleting_the_newest_conversations_keeps_their_counts_and_reads_the_next(filled):
    """SQLite hands the ids of deleted newest rows out again: the next events are still read,
    and what the deleted ones asked stays counted."""
    staff, tracker, _conversations = filled
    window = END + dt.timedelta(days=9)
    newest = g.generate(5, window, 0.5, seed=19, prefix="newest")
    g.store(tracker, newest)
    refresh(staff, tracker, salt=SALT, settle_seconds=0)
    with tracker.begin() as connection:  # a deletion by reference of each of them
        deleted_up_to = connection.execute(sa.select(sa.func.max(g.EVENTS.c.id))).scalar_one()
        connection.execute(sa.delete(g.EVENTS).where(g.EVENTS.c.sender_id.like("newest-%")))
    aggregate.follow_deletions(staff, tracker)  # what the deleting command does next
    after = g.generate(8, window, 0.5, seed=20, prefix="after")
    g.store(tracker, after)
    with tracker.connect() as connection:
        first_new = connection.execute(
            sa.select(sa.func.min(g.EVENTS.c.id)).where(g.EVENTS.c.sender_id.like("after-%"))
        ).scalar_one()
    refresh(staff, tracker, salt=SALT, settle_seconds=0)
    day = window.astimezone(BAKU).date()
    check(staff, newest + after, day - dt.timedelta(days=1), day)
    if tracker.dialect.name == "sqlite":
        assert first_new <= deleted_up_to, "the ids were handed out again"


def test_another_tracker_store_is_refused(filled, tmp_path):
    staff, _tracker, _conversations = filled
    other = sa.create_engine(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    g.store(other, g.generate(2, END, 1, prefix="other"))
    with pytest.raises(aggregate.SourceChanged):
        refresh(staff, other, salt=SALT)
    other.dispose()


def test_refreshes_at_the_same_time_count_everything_once(filled):
    from concurrent.futures import ThreadPoolExecutor

    staff, tracker, _conversations = filled
    later = g.generate(60, END + dt.timedelta(days=6), 1, seed=18, prefix="together")
    g.store(tracker, later)
    with ThreadPoolExecutor(3) as pool:
        results = list(
            pool.map(lambda _: refresh(staff, tracker, salt=SALT, settle_seconds=0), range(3))
        )
    read = sum(1 for c in later for e in c.events if e["event"] in ("user", "bot"))
    assert sum(r.events_read for r in results) == read, "each batch stored by one of them"
    days = (END + dt.timedelta(days=4)).astimezone(BAKU).date()
    check(staff, later, days, days + dt.timedelta(days=3))
