"""Command line: `python -m bot kb` builds the knowledge base (bot/offline), `python -m bot kb
export|import` moves it between knowledge/ and the staff database, `kb diff FILE` compares a new
version of the source page with the facts (bot/kb/cli.py)
and compiles the reply catalogues (`python -m bot locales` updates and checks them);
`python -m bot serve` runs the assistant (bot/ops), `python -m bot status` shows its processes;
`python -m bot web` serves the demo page with the widget (bot/web);
`python -m bot users|db|faq ...` manages the staff database (bot/staff_db/cli.py);
`python -m bot retention` deletes idle conversations, or with `--delete REF` the one a student
asked to have deleted (bot/ops/retention.py, bot/privacy/deletion.py);
`python -m bot analytics` prints the headline figures (bot/analytics/cli.py)."""

from __future__ import annotations

import argparse
import sys
from typing import List


def kb_command(args: argparse.Namespace) -> int:
    if getattr(args, "kb_run", None) is not None:  # kb export | import | ... (bot/kb/cli.py)
        return args.kb_run(args)
    from bot.offline.kb_build import build
    from bot.runtime import without_tensorflow

    with without_tensorflow():
        return build(args)


def locales_command(args: argparse.Namespace) -> int:
    from bot.offline.locales import compile_all, problems, update

    if args.update:
        print(f"updated {len(update())} catalogue(s) from the code's frames")
    found = problems()
    for problem in found:
        print(problem)
    print(f"compiled {compile_all()} catalogue(s) into build/locale/; {len(found)} problem(s)")
    return 1 if found and args.check else 0


def train_command(args: argparse.Namespace) -> int:
    from bot.offline.training import train_if_changed

    return train_if_changed(force=args.force)


def serve_command(args: argparse.Namespace) -> int:
    from bot.ops.serve import serve

    return serve(args.rasa_port, args.action_port, args.model, args.web_port or None)


def status_command(args: argparse.Namespace) -> int:
    from bot.ops.profiles import profile
    from bot.ops.status import status_command as show

    return show(args.profile or profile())


def web_command(args: argparse.Namespace) -> int:
    from bot.runtime import single_threaded_blas

    single_threaded_blas()  # before the inbox's encoder (and numpy) is imported
    from bot.web.app import WebConfig, run

    config = WebConfig.from_env()
    if args.socket_url:
        config.socket_url = args.socket_url
    run(args.host, args.port, config)
    return 0


STORE_COMMANDS = ("users", "db", "faq")


def main(argv: List[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "retention":  # idle past RETENTION_DAYS, or one by its reference
        from bot.ops.retention import main as retention_main

        return retention_main(argv[1:])
    if argv and argv[0] == "analytics":  # headline figures; updates the aggregate first
        from bot.analytics.cli import main as analytics_main

        return analytics_main(argv[1:])
    if argv and argv[0] in STORE_COMMANDS:  # staff accounts, database, FAQ import/export
        from bot.staff_db.cli import main as store_main

        return store_main(argv)
    parser = argparse.ArgumentParser(prog="python -m bot")
    sub = parser.add_subparsers(dest="command", required=True)
    kb = sub.add_parser("kb", help="validate knowledge/ and generate NLU data")
    kb.add_argument("--allow-uncited", action="store_true", help="report, but don't fail on, gaps")
    kb.set_defaults(func=kb_command)
    if argv and argv[0] == "kb":  # its sub-commands import the knowledge base's modules
        from bot.kb.cli import add_subcommands

        add_subcommands(kb)
    locales = sub.add_parser("locales", help="update, check and compile the reply catalogues")
    locales.add_argument("--update", action="store_true", help="add new frames to every .po")
    locales.add_argument("--check", action="store_true", help="fail on untranslated frames")
    locales.set_defaults(func=locales_command)
    train = sub.add_parser("train", help="train the model if its inputs changed")
    train.add_argument("--force", action="store_true")
    train.set_defaults(func=train_command)
    serve = sub.add_parser("serve", help="start the action server and the Rasa server")
    serve.add_argument("--rasa-port", type=int, default=5005)
    serve.add_argument("--action-port", type=int, default=5055)
    serve.add_argument("--model", default="models/beu.tar.gz")
    serve.add_argument("--web-port", type=int, default=8000, help="demo page; 0: don't serve it")
    serve.set_defaults(func=serve_command)
    status = sub.add_parser("status", help="the supervised processes: pid, uptime, restarts")
    status.add_argument("--profile", help="default or scaled (default: $PROFILE, else default)")
    status.set_defaults(func=status_command)
    web = sub.add_parser("web", help="serve the demo page with the chat widget")
    web.add_argument("--host", default="127.0.0.1")
    web.add_argument("--port", type=int, default=8000)
    web.add_argument("--socket-url", help="where the widget connects (default: BOT_SOCKET_URL)")
    web.set_defaults(func=web_command)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
