"""Make the staff database ready before any server uses it: schema up to date, and on a brand
new database the seed FAQ from knowledge/faq.yml. `make run` (bot.ops.processes) runs it once,
before the action server and the web app start, so they never race to migrate; the web app runs it
again on its own engine when started alone (`python -m bot web`): both are idempotent."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy.engine import Engine

from bot import paths
from bot.staff_db.db import make_engine, migrate
from bot.staff_db.faq import FaqRepository
from bot.staff_db.validation import ValidationError

FAQ_SEED = paths.KNOWLEDGE / "faq.yml"
log = logging.getLogger(__name__)


def prepare_database(url: str | None = None, seed: Path | None = FAQ_SEED) -> str:
    """Migrate; seed an empty FAQ. Returns a one-line summary for the start-up log."""
    engine = make_engine(url)
    try:
        return prepare_engine(engine, seed)
    finally:
        engine.dispose()


def prepare_engine(engine: Engine, seed: Path | None = FAQ_SEED) -> str:
    """`prepare_database` on an engine the caller keeps. A seed file that does not validate is
    reported and skipped: staff can still log in and fix the FAQ."""
    revision = migrate(engine)
    repository = FaqRepository(engine)
    if seed is None or not Path(seed).is_file() or repository.list_entries():
        return f"staff database at schema {revision}"
    try:
        report = repository.import_yaml(Path(seed), who="seed")
    except ValidationError as error:
        log.warning("the seed FAQ %s was not imported: %s", seed, error)
        return f"staff database at schema {revision}; the seed FAQ {seed.name} was not imported"
    return f"staff database at schema {revision}, seeded from {seed.name}: {report.summary()}"
