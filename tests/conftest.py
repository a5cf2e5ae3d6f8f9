import os
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# In-process tests answer from knowledge/kb.yml (bot/kb/live.py), never from a staff database
# (a developer's var/staff.sqlite3 holds their own edits); tests of the live knowledge base
# switch to the session's database (tests/live_db.py), servers started by tests read theirs.
os.environ.setdefault("BEU_KB_SOURCE", "files")

MESSENGER = {
    "FACEBOOK_VERIFY_TOKEN": "test-verify-token",
    "FACEBOOK_APP_SECRET": "test-app-secret",
    "FACEBOOK_PAGE_ACCESS_TOKEN": "test-page-token",
}


# Fixtures that start a real component: a test needing one is `heavy` (not in `make test-fast`).
HEAVY_FIXTURES = {"servers", "postgres_server", "chromium"}


def pytest_addoption(parser):
    parser.addoption(
        "--soak", action="store_true", help="also run tests marked `soak` (`make soak` does)"
    )


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook turns the groups into node ids
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (two workers, `--dist loadgroup`), every test that talks to the shared
    set of servers runs on one worker, so the servers start once; the in-process tests run on
    the other worker meanwhile. Tests that start servers, a database or a browser, load the
    trained model or run a Rasa evaluation are marked `heavy`: `make test-fast` leaves them out."""
    for item in items:
        if "servers" in item.fixturenames:
            item.add_marker(pytest.mark.xdist_group("servers"))
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and "postgresql" in callspec.params.values()
        starts_something = on_postgres or HEAVY_FIXTURES & set(item.fixturenames)
        if starts_something or any(item.get_closest_marker(m) for m in ("e2e", "rasa")):
            item.add_marker(pytest.mark.heavy)
    if not config.getoption("--soak"):
        # Repeats of a check `make test` already makes (the same page in more languages): kept
        # for `make soak`, so `make test` stays within its time budget.
        soak = [item for item in items if item.get_closest_marker("soak")]
        if soak:
            config.hook.pytest_deselected(items=soak)
            items[:] = [item for item in items if item not in soak]


@pytest.fixture(scope="session", autouse=True)
def staff_database(tmp_path_factory):
    """Actions called in-process (tests/actions) use a fresh, seeded staff database, never the
    developer's var/staff.sqlite3. Servers started by tests get their own (tests/servers.py)."""
    from bot.staff_db.bootstrap import prepare_database

    folder = tmp_path_factory.mktemp("staff")
    url = f"sqlite:///{folder}/staff.sqlite3"
    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    os.environ["STAFF_OUTBOX_FILE"] = str(folder / "outbox.jsonl")  # bot/staff_db/outbox.py
    prepare_database(url)
    yield url
    if previous is None:
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ["DATABASE_URL"] = previous


@pytest.fixture(scope="session")
def postgres_server():
    """URL of a PostgreSQL server whose user may create databases: DATABASE_URL_TEST, else one
    throwaway cluster per test process (tests/system.py), shared by every test that needs one."""
    from tests.system import postgres_cluster

    if os.environ.get("DATABASE_URL_TEST"):
        yield os.environ["DATABASE_URL_TEST"]
        return
    with postgres_cluster() as url:
        yield url


@pytest.fixture(scope="session")
def fake_graph():
    from tests.rasa_server.channels.fake_graph import FakeGraph

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


@pytest.fixture(scope="session")
def trained_agent():
    """The trained model, loaded once per worker (~40 s of CPU): the modules that use it are in
    the xdist group "trained-agent", so they share one load. Patches installed at import time
    by those modules (bot.rasa_server.patches) are in place before it loads."""
    from rasa.core.agent import Agent

    from bot import paths

    model = paths.ROOT / "models" / "beu.tar.gz"
    if not model.exists():
        pytest.fail("no trained model: run `make test`, which trains it first")
    return Agent.load(str(model))
