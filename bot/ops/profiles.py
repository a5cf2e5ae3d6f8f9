"""Which way to run the assistant (PROFILE, default `default`), and what the default profile's
stores are. The profiles themselves: bot/ops/serve.py (default) and bot/ops/scaled.py."""

from __future__ import annotations

import os
from pathlib import Path

from bot import paths

PROFILES = ("default", "scaled")


def profile() -> str:
    name = os.environ.get("PROFILE", "default").strip() or "default"
    if name not in PROFILES:
        raise SystemExit(f"PROFILE must be one of {', '.join(PROFILES)}, not {name!r}")
    return name


def default_store_env(tracker_db: Path | None = None) -> dict[str, str]:
    """What endpoints.yml needs for the default profile: SQLite tracker, in-memory locks (the
    redis settings must exist for ${VAR} substitution but are not used)."""
    return {
        "TRACKER_STORE_URL": f"sqlite:///{tracker_db or paths.VAR / 'tracker.sqlite3'}",
        "LOCK_STORE_TYPE": "in_memory",
        "REDIS_HOST": "localhost",
        "REDIS_PORT": "6379",
        "REDIS_PASSWORD": "",
        "REDIS_DB": "1",
    }
