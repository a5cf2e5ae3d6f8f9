"""A generated tracker store, and the admin reading it: shared by the analytics tests."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict

import pytest
from sqlalchemy import create_engine

from tests.analytics.generate import generate, store

CONVERSATIONS = 160
DAYS = 40


@pytest.fixture(scope="module")
def tracker(tmp_path_factory) -> Dict[str, Any]:
    """A tracker store with conversations over the last 40 days (made once per module)."""
    path = tmp_path_factory.mktemp("tracker") / "tracker.sqlite3"
    url = f"sqlite:///{path}"
    conversations = generate(CONVERSATIONS, dt.datetime.now(dt.timezone.utc), DAYS, seed=1515)
    engine = create_engine(url)
    store(engine, conversations)
    engine.dispose()
    return {"url": url, "conversations": conversations}


@pytest.fixture()
def analytics_live(make_live, tracker):
    return make_live(tracker_url=tracker["url"], analytics_refresh_seconds=0)
