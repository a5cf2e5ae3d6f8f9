"""`python -m bot kb diff FILE [--json]`: what a new version of the source page changes, for
operators, compared with the current source: the live one in the staff database when it holds the
knowledge base, else knowledge/sources/ with knowledge/kb.yml.

Exit status 0 for any readable report (a diff is information, not a failure); 2 when FILE cannot
be read as a page version (missing, binary, not UTF-8, too big), with the reason on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.kb.schema import KnowledgeBase


@dataclass(frozen=True)
class CurrentSource:
    kb: KnowledgeBase
    text: str
    origin: str  # where it came from, printed so the operator knows what was compared


def _from_staff_db(source: str | None, url: str | None) -> CurrentSource | None:
    """The live knowledge base, if the staff database exists and holds one."""
    try:
        from bot.staff_db.knowledge import KnowledgeRepository
    except ImportError:  # the storage is not there yet: the files are the knowledge base
        return None
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from bot.staff_db.db import database_url, is_up_to_date, make_engine

    url = url or database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        return None  # don't create an empty database file just to find it empty
    engine = make_engine(url)
    try:
        if not is_up_to_date(engine):
            return None
        live = KnowledgeRepository(engine).current()
    except SQLAlchemyError as error:
        print(f"note: staff database not readable ({error.__class__.__name__}); using files")
        return None
    finally:
        engine.dispose()
    if live is None:
        return None
    name = source or live.kb.document.file
    if name not in live.sources:
        return None
    return CurrentSource(live.kb, live.sources[name], f"staff database, revision {live.revision}")


def _from_files(source: str | None) -> CurrentSource:
    from bot import paths
    from bot.kb.load import load_kb

    kb = load_kb()
    name = source or kb.document.file
    text = (paths.SOURCES / name).read_text(encoding="utf-8")
    return CurrentSource(kb, text, f"{paths.SOURCES.relative_to(paths.ROOT) / name}")


def current_source(source: str | None = None, database_url: str | None = None) -> CurrentSource:
    return _from_staff_db(source, database_url) or _from_files(source)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="the new version of the page, as plain text")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--source", help="which source file it replaces (default: the page)")


def run(args: argparse.Namespace) -> int:
    from bot.kb.page_text import PageTextError, decode_page

    try:
        new_text = decode_page(args.file.read_bytes())
    except OSError as error:
        print(f"kb diff: cannot read {args.file}: {error.strerror or error}", file=sys.stderr)
        return 2
    except PageTextError as error:
        print(f"kb diff: {args.file}: {error}", file=sys.stderr)
        return 2

    from bot.kb.load import KnowledgeError
    from bot.kb.page_diff import diff_page, format_report

    try:
        current = current_source(args.source, getattr(args, "database_url", None))
    except (KnowledgeError, OSError) as error:
        print(f"kb diff: the current knowledge base cannot be read: {error}", file=sys.stderr)
        return 2
    diff = diff_page(current.kb, current.text, new_text, args.source)
    if args.json:
        print(json.dumps({"compared_with": current.origin, **diff.to_dict()}, ensure_ascii=False))
    else:
        print(f"compared with: {current.origin}")
        print(format_report(diff))
    return 0
