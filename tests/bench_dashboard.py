"""`python -m tests.bench_dashboard` (for `make bench`): the staff dashboard over a big aggregate.

Serves the real admin (the web app, on a loopback port) on a staff database whose aggregate
holds the conversations, logs in, and times over HTTP, as a browser asks them:
- the page /admin/analytics (last 30 days, and a range over all 120 days),
- the same page again (the report kept from moments ago, bot/web/admin/analytics_cache.py),
- the CSV of those tables, and /admin/api/analytics;
each first with a report built from the aggregate, then reused. The stores come from
`python -m tests.bench_analytics --keep DIR` (`--from DIR`: its tracker.sqlite3 and
staff.sqlite3, already aggregated), else `--conversations N` are generated here. Timings are
reported, not asserted; results/bench_dashboard.json says whether each was under 1 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List

import sqlalchemy as sa
from sanic import Sanic

from bot.analytics.aggregate import refresh
from bot.analytics.report import BAKU
from bot.staff_db.db import make_engine, migrate
from bot.staff_db.users import Users
from bot.web.admin import AdminSettings
from bot.web.app import WebConfig, create_app
from tests.bench_analytics import DAYS, fill
from tests.web.admin.live import Client, LiveApp

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "results"
TARGET_SECONDS = 1.0
PASSWORD = "a long benchmark password"


def prepare(folder: Path, conversations: int) -> None:
    """Generate and aggregate `conversations` into `folder` (as bench_analytics does)."""
    staff = make_engine(f"sqlite:///{folder / 'staff.sqlite3'}")
    migrate(staff)
    tracker = sa.create_engine(f"sqlite:///{folder / 'tracker.sqlite3'}")
    end = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=2)
    began = time.perf_counter()
    events, _ = fill(tracker, conversations, end, DAYS, "d", {})
    seconds = time.perf_counter() - began
    print(f"generated {conversations} conversations, {events} events in {seconds:.0f} s")
    result = refresh(staff, tracker)
    print(f"aggregated {result.events_read} events in {result.seconds:.0f} s")
    staff.dispose()
    tracker.dispose()


def timed_get(client: Client, path: str) -> Dict[str, Any]:
    began = time.perf_counter()
    reply = client.get(path)
    seconds = time.perf_counter() - began
    if reply.status_code != 200:
        raise SystemExit(f"GET {path}: {reply.status_code} {reply.text[:300]}")
    return {"s": round(seconds, 3), "kb": round(len(reply.content) / 1024, 1)}


def measure(folder: Path) -> Dict[str, Any]:
    staff_url = f"sqlite:///{folder / 'staff.sqlite3'}"
    engine = make_engine(staff_url)
    username = f"bench.{uuid.uuid4().hex[:6]}"
    Users(engine, rounds=4).add_user(username, PASSWORD)
    settings = AdminSettings(
        secret_key="bench-secret",
        bcrypt_rounds=4,
        seed_file=None,
        tracker_url=f"sqlite:///{folder / 'tracker.sqlite3'}",
    )
    Sanic.test_mode = True  # no worker processes: the app runs in this process's thread
    app = create_app(
        WebConfig(), name=f"bench_{uuid.uuid4().hex[:8]}", engine=engine, admin=settings
    )
    app.config.MOTD = False
    live = LiveApp(app).start()
    client = Client(live.url)
    today = dt.datetime.now(BAKU).date()
    everything = f"period=range&start={today - dt.timedelta(days=DAYS + 1)}&end={today}"
    figures: Dict[str, Any] = {"target_s": TARGET_SECONDS}
    try:
        if client.login(username, PASSWORD).status_code != 200:
            raise SystemExit("could not log in")
        for name, query in (("last_30_days", "period=30d"), ("all_time", everything)):
            timings = {
                "page_first": timed_get(client, f"/admin/analytics?{query}"),
                "page_again": timed_get(client, f"/admin/analytics?{query}"),
                "csv": timed_get(client, f"/admin/analytics.csv?{query}"),
                "api": timed_get(client, f"/admin/api/analytics?{query}"),
            }
            timings["page_first_under_target"] = timings["page_first"]["s"] < TARGET_SECONDS
            figures[name] = timings
            print(
                f"{name}: page {timings['page_first']['s']:.3f} s "
                f"({timings['page_first']['kb']} KB), again {timings['page_again']['s']:.3f} s, "
                f"CSV {timings['csv']['s']:.3f} s, API {timings['api']['s']:.3f} s"
            )
    finally:
        client.close()
        live.stop()
        engine.dispose()
    return figures


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench_dashboard")
    parser.add_argument("--from", dest="folder", type=Path, help="a bench_analytics --keep folder")
    parser.add_argument("--conversations", type=int, default=100_000)
    args = parser.parse_args(argv)
    if args.folder:
        figures = measure(args.folder)
        figures["source"] = str(args.folder)
    else:
        with tempfile.TemporaryDirectory(prefix="bench_dashboard_") as name:
            prepare(Path(name), args.conversations)
            figures = measure(Path(name))
        figures["conversations"] = args.conversations
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_dashboard.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(f"wrote {RESULTS / 'bench_dashboard.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
