"""Command line: `python -m bot kb` builds the knowledge base; `python -m bot serve` runs it;
`python -m bot web` serves the demo page with the widget; `python -m bot users|db|faq ...` manages
the staff database (see bot/store/cli.py)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import List


def kb_command(args: argparse.Namespace) -> int:
    """Validate knowledge/, report uncited source sentences, and generate the NLU artefacts."""
    from bot import paths
    from bot.kb.load import KnowledgeError, load_countries, load_kb
    from bot.kb.provenance import iter_cited, uncited_sentences
    from bot.nlu.generate import write_rasa_data, write_spacy_pipeline
    from bot.nlu.vocabulary import build_vocabulary

    try:
        countries = load_countries()
        kb = load_kb(countries=countries)
    except KnowledgeError as error:
        print(f"Knowledge base is invalid.\n{error}", file=sys.stderr)
        return 1
    facts = list(iter_cited(kb))
    print(f"knowledge base valid: {len(facts)} facts, every quote found in its source")
    source = (paths.SOURCES / kb.document.file).read_text(encoding="utf-8")
    uncited = uncited_sentences(kb, source)
    if uncited:
        print(f"coverage: {len(uncited)} factual source sentence(s) no fact cites:")
        for item in uncited:
            print(f"  {item}")
    else:
        print("coverage: every factual sentence of the source is cited by a fact")
    overdue = [
        f"  {path} (review by {fact.review_by})"
        for path, fact in facts
        if fact.review_by and fact.review_by < dt.date.today()
    ]
    if kb.document.review_by and kb.document.review_by < dt.date.today():
        overdue.insert(0, f"  the whole document (review by {kb.document.review_by})")
    if overdue:
        print("due for review (still served, flagged here for staff):")
        print("\n".join(overdue))
    vocabulary = build_vocabulary(kb, countries)
    data = write_rasa_data(vocabulary)
    pipeline = write_spacy_pipeline(vocabulary)
    forms = sum(len(e.forms) + len(e.case_sensitive) for e in vocabulary)
    print(
        f"generated {data.relative_to(paths.ROOT)} and {pipeline.relative_to(paths.ROOT)}/ "
        f"({len(vocabulary)} entity values, {forms} surface forms)"
    )
    return 1 if uncited and not args.allow_uncited else 0


def train_command(args: argparse.Namespace) -> int:
    from bot.training import train_if_changed

    return train_if_changed(force=args.force)


def serve_command(args: argparse.Namespace) -> int:
    from bot.serve import serve

    return serve(args.rasa_port, args.action_port, args.model, args.web_port or None)


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
    if argv and argv[0] == "retention":  # delete conversations idle past RETENTION_DAYS
        from bot.retention import main as retention_main

        return retention_main(argv[1:])
    if argv and argv[0] in STORE_COMMANDS:  # staff accounts, database, FAQ import/export
        from bot.store.cli import main as store_main

        return store_main(argv)
    parser = argparse.ArgumentParser(prog="python -m bot")
    sub = parser.add_subparsers(dest="command", required=True)
    kb = sub.add_parser("kb", help="validate knowledge/ and generate NLU data")
    kb.add_argument("--allow-uncited", action="store_true", help="report, but don't fail on, gaps")
    kb.set_defaults(func=kb_command)
    train = sub.add_parser("train", help="train the model if its inputs changed")
    train.add_argument("--force", action="store_true")
    train.set_defaults(func=train_command)
    serve = sub.add_parser("serve", help="start the action server and the Rasa server")
    serve.add_argument("--rasa-port", type=int, default=5005)
    serve.add_argument("--action-port", type=int, default=5055)
    serve.add_argument("--model", default="models/beu.tar.gz")
    serve.add_argument("--web-port", type=int, default=8000, help="demo page; 0: don't serve it")
    serve.set_defaults(func=serve_command)
    web = sub.add_parser("web", help="serve the demo page with the chat widget")
    web.add_argument("--host", default="127.0.0.1")
    web.add_argument("--port", type=int, default=8000)
    web.add_argument("--socket-url", help="where the widget connects (default: BOT_SOCKET_URL)")
    web.set_defaults(func=web_command)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
