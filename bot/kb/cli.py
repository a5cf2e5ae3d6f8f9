"""`python -m bot kb SUB-COMMAND`: the knowledge base's commands beyond the build.

    kb                      validate knowledge/, generate the NLU data (bot/offline/kb_build.py)
    kb export [--to DIR]    the staff database's live knowledge base -> DIR/kb.yml, DIR/sources/
    kb import [FILE]        kb.yml (and the source versions it cites, next to it in sources/)
                            -> the staff database, never over a newer admin edit

A sub-command is one entry of SUBCOMMANDS (its help, its arguments, what it runs), so another
one (`kb diff FILE`) is added without touching the parser.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict

from bot import paths


@dataclass(frozen=True)
class SubCommand:
    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def _repository(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from bot.staff_db import db
    from bot.staff_db.knowledge import KnowledgeRepository

    engine = db.make_engine(args.database_url)
    if not db.is_up_to_date(engine):
        engine.dispose()
        print(
            "error: the database schema is not up to date: run `db upgrade` first", file=sys.stderr
        )
        return None
    return KnowledgeRepository(engine)


def _export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--to", type=Path, default=paths.KNOWLEDGE, help="folder for kb.yml and sources/"
    )


def _export(args: argparse.Namespace) -> int:
    repository = _repository(args)
    if repository is None:
        return 1
    try:
        written = repository.export_yaml(args.to / "kb.yml", args.to / "sources")
        revision = repository.revision_marker()
    except LookupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        repository.engine.dispose()
    print(f"wrote knowledge revision {revision}: " + ", ".join(str(p) for p in written))
    return 0


def _import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, nargs="?", default=paths.KB_FILE)
    parser.add_argument("--as", dest="who", default="import", help="name recorded in the history")


def _import(args: argparse.Namespace) -> int:
    from bot.staff_db.validation import ValidationError

    repository = _repository(args)
    if repository is None:
        return 1
    try:
        report = repository.import_yaml(args.file, args.file.parent / "sources", args.who)
    except ValidationError as error:
        for where, message in error.errors.items():
            print(f"error: {where or args.file}: {message}", file=sys.stderr)
        return 1
    finally:
        repository.engine.dispose()
    print(report.summary())
    return 1 if report.skipped or report.sources_kept else 0


SUBCOMMANDS: Dict[str, SubCommand] = {
    "export": SubCommand(
        "write the live knowledge base to kb.yml and sources/", _export_arguments, _export
    ),
    "import": SubCommand("import kb.yml into the staff database", _import_arguments, _import),
}


def add_subcommands(kb: argparse.ArgumentParser) -> None:
    """Attach every SUBCOMMANDS entry to the `kb` parser (none given: the build runs)."""
    sub = kb.add_subparsers(dest="kb_command", metavar="{" + ",".join(SUBCOMMANDS) + "}")
    for name, command in SUBCOMMANDS.items():
        parser = sub.add_parser(name, help=command.help)
        parser.add_argument("--database-url", help="default: $DATABASE_URL, else var/staff.sqlite3")
        command.arguments(parser)
        parser.set_defaults(kb_run=command.run)
