"""In-process tests of the live knowledge base: this process answers from the session's staff
database (tests/conftest.py seeds it from knowledge/kb.yml) while the test runs, then from the
files again, as every other in-process test does."""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator

from bot.kb import live


@contextmanager
def answering_from_the_database() -> Iterator[live.LiveKnowledge]:
    previous = os.environ.get(live.SOURCE_ENV)
    os.environ[live.SOURCE_ENV] = "auto"
    try:
        knowledge = live.reset()
        knowledge.wait_for(lambda snapshot: snapshot.origin == "database", 5)
        yield knowledge
    finally:
        if previous is None:
            os.environ.pop(live.SOURCE_ENV, None)
        else:
            os.environ[live.SOURCE_ENV] = previous
        live.reset()


def reloaded(repository) -> None:
    """Wait for the polling thread to read the newest revision (a second or so)."""
    newest = repository.current().revision
    live.live().wait_for(lambda snapshot: snapshot.revision == newest, 5)
