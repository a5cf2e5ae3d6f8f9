"""`python -m bot retention` reads the conversations into the aggregate before deleting them."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from bot.analytics.report import build_report
from bot.ops.retention import main as retention_main
from bot.staff_db.db import make_engine, migrate
from tests.analytics import generate as g


def test_retention_refreshes_the_aggregate_first(tmp_path, monkeypatch, capsys):
    staff_url = f"sqlite:///{tmp_path / 'staff.sqlite3'}"
    tracker_url = f"sqlite:///{tmp_path / 'tracker.sqlite3'}"
    staff, tracker = make_engine(staff_url), sa.create_engine(tracker_url)
    migrate(staff)
    now = dt.datetime.now(dt.timezone.utc)
    old = g.generate(20, now - dt.timedelta(days=200), 3, prefix="old")
    recent = g.generate(5, now - dt.timedelta(hours=1), 1, prefix="recent")
    g.store(tracker, old + recent)
    monkeypatch.setenv("DATABASE_URL", staff_url)
    monkeypatch.setenv("TRACKER_DB_URL", tracker_url)

    assert retention_main(["--days", "180"]) == 0
    assert "deleted 20 conversation(s)" in capsys.readouterr().out
    end = now.astimezone(g.BAKU).date()
    start = end - dt.timedelta(days=210)
    report = build_report(staff, start, end)
    expected = g.brute_force(old + recent, start, end)
    assert (report.conversations, report.messages) == (expected.conversations, expected.messages)
    with tracker.connect() as connection:
        senders = set(connection.execute(sa.select(g.EVENTS.c.sender_id).distinct()).scalars())
    assert senders == {c.sender_id for c in recent}
    staff.dispose()
    tracker.dispose()
