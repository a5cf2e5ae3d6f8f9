import os
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

MESSENGER = {
    "FACEBOOK_VERIFY_TOKEN": "test-verify-token",
    "FACEBOOK_APP_SECRET": "test-app-secret",
    "FACEBOOK_PAGE_ACCESS_TOKEN": "test-page-token",
}


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook turns the groups into node ids
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (two workers, `--dist loadgroup`), every test that talks to the shared
    set of servers runs on one worker, so the servers start once; the in-process tests run on
    the other worker meanwhile."""
    for item in items:
        if "servers" in item.fixturenames:
            item.add_marker(pytest.mark.xdist_group("servers"))


@pytest.fixture(scope="session", autouse=True)
def staff_database(tmp_path_factory):
    """Actions called in-process (tests/actions) use a fresh, seeded staff database, never the
    developer's var/staff.sqlite3. Servers started by tests get their own (tests/servers.py)."""
    from bot.store.bootstrap import prepare_database

    url = f"sqlite:///{tmp_path_factory.mktemp('staff')}/staff.sqlite3"
    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    prepare_database(url)
    yield url
    if previous is None:
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ["DATABASE_URL"] = previous


@pytest.fixture(scope="session")
def postgres_server():
    """URL of a PostgreSQL server whose user may create databases: DATABASE_URL_TEST, else one
    throwaway cluster per test process (tests/postgres.py), shared by every test that needs one."""
    from tests.postgres import PostgresCluster, find_bin

    if os.environ.get("DATABASE_URL_TEST"):
        yield os.environ["DATABASE_URL_TEST"]
        return
    bin_dir = find_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (make system-deps installs it)")
    cluster = PostgresCluster(bin_dir).start()
    try:
        yield cluster.url
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def fake_graph():
    from tests.channels.fake_graph import FakeGraph

    graph = FakeGraph()
    yield graph
    graph.close()


@pytest.fixture(scope="session")
def servers(fake_graph):
    """One Rasa + action server pair for every end-to-end test, Messenger pointed at the fake."""
    from tests.servers import start_servers

    running = start_servers("main", {**MESSENGER, "FACEBOOK_GRAPH_URL": fake_graph.url})
    yield running
    running.stop()


@pytest.fixture()
def conversation(servers):
    """A fresh REST conversation: call it with a message, get the bot's replies."""
    from tests.servers import ask

    sender = f"e2e-{uuid.uuid4().hex[:12]}"
    return lambda text: ask(servers.webhook, sender, text)
