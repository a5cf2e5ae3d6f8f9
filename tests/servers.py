"""Real servers for tests: the same start-up as `make run`, on free ports."""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path
from typing import Dict, List

from bot.ops.processes import Servers
from tests.system import free_port

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "results" / "e2e-logs"


def ask(webhook: str, sender: str, text: str, timeout: float = 30) -> List[Dict]:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(webhook, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read() or b"[]")


def fresh_sqlite(name: str, filename: str) -> Path:
    """An empty SQLite file path under results/e2e-logs/<name>/ (stale copies removed)."""
    database = LOGS / name / filename
    database.parent.mkdir(parents=True, exist_ok=True)
    for stale in database.parent.glob(f"{filename}*"):
        stale.unlink()
    return database


def start_servers(name: str, env: Dict[str, str] | None = None, web: bool = True) -> Servers:
    # Each xdist worker its own files: a module's fixture may run on both workers at once, and
    # one must never delete the other's fresh database (it did: "no such table: faq_entries").
    name = f"{name}-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    env = dict(env or {})
    if "DATABASE_URL" not in env:  # a fresh staff database for every set of servers
        env["DATABASE_URL"] = f"sqlite:///{fresh_sqlite(name, 'staff.sqlite3')}"
    if "TRACKER_STORE_URL" not in env:  # and fresh conversations (never the developer's var/)
        env["TRACKER_STORE_URL"] = f"sqlite:///{fresh_sqlite(name, 'tracker.sqlite3')}"
    env.setdefault("BEU_KB_SOURCE", "auto")  # answer from their staff database, as deployed
    if "STAFF_OUTBOX_FILE" not in env:  # the action server's queued inbox writes, likewise
        env["STAFF_OUTBOX_FILE"] = str(fresh_sqlite(name, "staff-outbox.jsonl"))
    servers = Servers(
        free_port(),
        free_port(),
        "models/beu.tar.gz",
        env,
        log_dir=LOGS / name,
        web_port=free_port() if web else None,
    )
    try:
        return servers.start()
    except Exception:
        servers.stop()
        raise
