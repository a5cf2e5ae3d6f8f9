"""Make the staff database ready before any server uses it: schema up to date, and on a brand
new database the seed FAQ from knowledge/faq.yml. Run once by `make run` / bot.serve, before
the action server and the web app start, so they never race to migrate."""

from __future__ import annotations

from pathlib import Path

from bot import paths
from bot.store.db import make_engine, migrate
from bot.store.faq import FaqRepository

FAQ_SEED = paths.KNOWLEDGE / "faq.yml"


def prepare_database(url: str | None = None, seed: Path = FAQ_SEED) -> str:
    """Migrate; seed an empty FAQ. Returns a one-line summary for the start-up log."""
    engine = make_engine(url)
    try:
        revision = migrate(engine)
        repository = FaqRepository(engine)
        if repository.list_entries() or not seed.is_file():
            return f"staff database at schema {revision}"
        report = repository.import_yaml(seed, who="seed")
        return f"staff database at schema {revision}, seeded from {seed.name}: {report.summary()}"
    finally:
        engine.dispose()
