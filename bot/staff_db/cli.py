"""Command line for the staff store: accounts, schema upgrades, FAQ import/export.

    users add NAME [--password-stdin] | users list | users disable NAME | users password NAME
    db upgrade
    faq import PATH [--as WHO] | faq export PATH

Every command but `db upgrade` refuses to run on a database whose schema is not up to date, rather
than upgrading it as a side effect of, say, adding a user.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import List

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.staff_db import db
from bot.staff_db.errors import NotFoundError
from bot.staff_db.faq import FaqRepository
from bot.staff_db.validation import ValidationError


class CommandError(Exception):
    """A message for the person at the terminal; exit status 1."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bot store", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: $DATABASE_URL, else var/staff.sqlite3")
    groups = parser.add_subparsers(dest="group", required=True)

    users = groups.add_parser("users", help="staff accounts").add_subparsers(
        dest="action", required=True
    )
    add = users.add_parser("add", help="create an account (asks for the password)")
    add.add_argument("name")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin's first line"
    )
    users.add_parser("list", help="list accounts")
    users.add_parser("disable", help="stop an account from logging in").add_argument("name")
    password = users.add_parser("password", help="set a new password")
    password.add_argument("name")
    password.add_argument("--password-stdin", action="store_true")

    database = groups.add_parser("db", help="database schema").add_subparsers(
        dest="action", required=True
    )
    database.add_parser("upgrade", help="create or upgrade the tables (safe to repeat)")

    faq = groups.add_parser("faq", help="FAQ entries as YAML").add_subparsers(
        dest="action", required=True
    )
    load = faq.add_parser("import", help="create/update entries from a YAML file")
    load.add_argument("path", type=Path)
    load.add_argument("--as", dest="who", default="import", help="name recorded in the history")
    faq.add_parser("export", help="write every entry to a YAML file").add_argument(
        "path", type=Path
    )
    return parser


def _read_password(from_stdin: bool) -> str:
    if from_stdin or not sys.stdin.isatty():
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise CommandError("the two passwords differ")
    return first


def _ready(engine: Engine) -> Engine:
    if not db.is_up_to_date(engine):
        raise CommandError("the database schema is not up to date: run `db upgrade` first")
    return engine


def _users(args: argparse.Namespace, engine: Engine) -> int:
    from bot.staff_db.users import Users

    users = Users(_ready(engine))
    if args.action == "add":
        user = users.add_user(args.name, _read_password(args.password_stdin))
        print(f"added user {user.username}")
    elif args.action == "password":
        users.get(args.name)
        users.set_password(args.name, _read_password(args.password_stdin))
        print(f"password of {args.name} changed")
    elif args.action == "disable":
        users.disable(args.name)
        print(f"disabled {args.name}")
    else:
        for user in users.list_users():
            state = "disabled" if user.disabled else "active"
            print(f"{user.username}\t{state}\tcreated {user.created_at:%Y-%m-%d}")
    return 0


def _faq(args: argparse.Namespace, engine: Engine) -> int:
    repo = FaqRepository(_ready(engine))
    if args.action == "export":
        count = repo.export_yaml(args.path)
        print(f"wrote {count} entries to {args.path}")
        return 0
    report = repo.import_yaml(args.path, args.who)
    print(report.summary())
    return 1 if report.conflicts else 0


def _run(args: argparse.Namespace) -> int:
    engine = db.make_engine(args.database_url)
    try:
        if args.group == "db":
            head = db.migrate(engine)
            print(f"database at {engine.url.render_as_string()}: schema {head}")
            return 0
        if args.group == "users":
            return _users(args, engine)
        return _faq(args, engine)
    finally:
        engine.dispose()


def main(argv: List[str] | None = None) -> int:
    """Run one command; returns the exit status (0 ok, 1 error or import conflicts, 2 usage)."""
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except ValidationError as error:
        for name, message in error.errors.items():
            print(f"error: {name}: {message}", file=sys.stderr)
    except (CommandError, NotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
    except SQLAlchemyError as error:
        print(f"error: database: {error.__class__.__name__}: {error}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
