"""Deletion by reference and conversation review at scale, for `make bench` (not `make test`).

Nothing stores a conversation's reference, so deleting by reference computes one HMAC per
stored sender id; the review page groups the flagged events of every conversation. This
generates N conversations (default 100,000; one in ten fell back) in a SQLite tracker store and
a migrated staff database, and prints how long each takes:

    PYTHONPATH=$PWD .venv/bin/python -m tests.bench_deletion [--senders N] [--keep DIR]

Figures go to results/bench_deletion.json as well.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from bot import paths
from bot.privacy.conversations import review_page
from bot.privacy.deletion import delete_by_reference, find_sender
from bot.privacy.reference import deletion_reference
from bot.staff_db.db import make_engine, migrate
from bot.staff_db.inbox import Inbox
from tests.analytics.generate import EVENTS  # Rasa's events table, column for column


def generate(tracker: sa.engine.Engine, senders: int) -> None:
    """Per conversation: a question, the action that answered it, its reply (Rasa's columns)."""
    EVENTS.metadata.create_all(tracker)
    start = time.time() - 30 * 86400
    rows = []
    for i in range(senders):
        sender, at = f"psid-{i:07d}", start + i * 20
        fell_back = i % 10 == 0
        intent = "nlu_fallback" if fell_back else "ask_erasmus"
        action = "action_honest_fallback" if fell_back else "action_erasmus"
        user = {"event": "user", "text": f"question {i}", "timestamp": at}
        bot = {"event": "bot", "text": f"answer {i}", "timestamp": at + 1}
        rows += [
            dict(sender_id=sender, type_name="user", timestamp=at, intent_name=intent,
                 action_name=None, data=json.dumps(user)),
            dict(sender_id=sender, type_name="action", timestamp=at + 0.5, intent_name=None,
                 action_name=action, data="{}"),
            dict(sender_id=sender, type_name="bot", timestamp=at + 1, intent_name=None,
                 action_name=None, data=json.dumps(bot)),
        ]  # fmt: skip
        if len(rows) >= 30_000:
            with tracker.begin() as connection:
                connection.execute(sa.insert(EVENTS), rows)
            rows = []
    if rows:
        with tracker.begin() as connection:
            connection.execute(sa.insert(EVENTS), rows)


def timed(function, *args) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--senders", type=int, default=100_000)
    parser.add_argument("--keep", help="build the databases in this folder and keep them")
    args = parser.parse_args(argv)
    folder = Path(args.keep or tempfile.mkdtemp(prefix="bench-deletion-"))
    folder.mkdir(parents=True, exist_ok=True)
    tracker = sa.create_engine(f"sqlite:///{folder / 'tracker.sqlite3'}")
    staff = make_engine(f"sqlite:///{folder / 'staff.sqlite3'}")
    migrate(staff)
    key = Inbox(staff).salt()
    generate_s, _ = timed(generate, tracker, args.senders)
    target = f"psid-{args.senders * 7 // 10:07d}"
    reference = deletion_reference(key, target)
    find_s, found = timed(find_sender, tracker, key, reference)
    assert found == target
    review_s, page = timed(review_page, tracker, key, 1)
    delete_s, result = timed(delete_by_reference, reference, tracker, staff)
    figures = {
        "senders": args.senders,
        "generate_s": round(generate_s, 2),
        "find_by_reference_s": round(find_s, 3),
        "delete_by_reference_s": round(delete_s, 3),
        "review_first_page_s": round(review_s, 3),
        "flagged_conversations": page.total,
        "events_deleted": result.events,
    }
    for name, value in figures.items():
        print(f"{name}: {value}")
    out = paths.ROOT / "results" / "bench_deletion.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main()
