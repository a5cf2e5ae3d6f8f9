"""Make the staff database ready before any server uses it: schema up to date, on a brand
new database the seed FAQ from knowledge/faq.yml, and the knowledge base from knowledge/kb.yml
(seeded when the database holds none; re-imported, never over a newer admin edit, when kb.yml or
its sources changed since the last import). `make run` (bot.ops.processes) runs it once,
before the action server and the web app start, so they never race to migrate; the web app runs it
again on its own engine when started alone (`python -m bot web`): both are idempotent."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot import paths
from bot.staff_db.db import make_engine, migrate, store_unavailable
from bot.staff_db.faq import FaqRepository
from bot.staff_db.knowledge import KnowledgeRepository
from bot.staff_db.knowledge_yaml import files_digest, imported_digest
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


def prepare_engine(
    engine: Engine,
    seed: Path | None = FAQ_SEED,
    kb_file: Path | None = paths.KB_FILE,
    sources_dir: Path = paths.SOURCES,
) -> str:
    """`prepare_database` on an engine the caller keeps. A seed file that does not validate is
    reported and skipped: staff can still log in and fix the FAQ (and the knowledge base)."""
    revision = migrate(engine)
    summary = f"staff database at schema {revision}"
    faq = _seed_faq(engine, seed)
    knowledge = _import_knowledge(engine, kb_file, sources_dir)
    return "; ".join(part for part in (summary, faq, knowledge) if part)


def _seed_faq(engine: Engine, seed: Path | None) -> str:
    repository = FaqRepository(engine)
    if seed is None or not Path(seed).is_file() or repository.list_entries():
        return ""
    try:
        report = repository.import_yaml(Path(seed), who="seed")
    except ValidationError as error:
        log.warning("the seed FAQ %s was not imported: %s", seed, error)
        return f"the seed FAQ {seed.name} was not imported"
    return f"seeded from {seed.name}: {report.summary()}"


def _import_knowledge(engine: Engine, kb_file: Path | None, sources_dir: Path) -> str:
    """Seed the knowledge base, or import kb.yml again when it (or a source) changed since the
    last import; paths staff edited since are kept and named in the log."""
    if kb_file is None or not Path(kb_file).is_file():
        return ""
    kb_file = Path(kb_file)
    digest = files_digest(kb_file, sources_dir)
    with engine.connect() as connection:
        if imported_digest(connection) == digest:
            return ""
    repository = KnowledgeRepository(engine)
    try:
        report = repository.import_yaml(kb_file, sources_dir, who="seed")
    except ValidationError as error:
        log.warning("%s was not imported into the staff database: %s", kb_file, error)
        return f"{kb_file.name} was not imported"
    except SQLAlchemyError as error:
        if not store_unavailable(error):
            raise
        # busy now: the servers still start (on the stored knowledge); the next start imports
        log.warning("%s not imported, the staff database is busy: %s", kb_file, error)
        return f"{kb_file.name} not imported (database busy)"
    for path, why in report.skipped:
        log.warning("%s: %s kept as in the staff database: %s", kb_file.name, path, why)
    return f"{kb_file.name} imported: {report.summary().splitlines()[0]}"
