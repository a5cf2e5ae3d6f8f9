"""The dashboard while the staff database is locked for writing (SQLite, WAL: readers still
read): the figures the aggregate holds, at once, with a note that the newest are missing."""

from __future__ import annotations

import pytest

from bot.web.admin.analytics_refresh import STALE_NOTE
from tests.staff_db.locks import write_locked
from tests.web.admin.analytics_fixtures import tracker  # noqa: F401
from tests.web.admin.live import Client
from tests.web.admin.test_busy import WAIT, engine, timed  # noqa: F401


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_a_locked_staff_database_still_shows_the_figures_with_a_note(
    make_live,
    staff,
    engine,  # noqa: F811
    tracker,  # noqa: F811
):
    live = make_live(tracker_url=tracker["url"], analytics_refresh_seconds=0)
    client = Client(live.url)
    try:
        assert client.login().status_code == 200
        with write_locked(engine):  # the refresh cannot write what it read
            reply, took = timed(lambda: client.api("GET", "/analytics?period=7d"))
            page = client.get("/admin/analytics?period=7d")
        assert reply.status_code == 200 and took < 4 * WAIT + 2
        assert reply.json()["note"] == STALE_NOTE and reply.json()["messages"] == 0
        assert page.status_code == 200 and "could not be read into these figures" in page.text
        after = client.api("GET", "/analytics?period=7d").json()
        assert after["note"] is None and after["messages"] > 0, "read once the lock is gone"
    finally:
        client.close()
