"""`python -m bot.rasa_server.launch ARGS` is `rasa ARGS` for the Rasa server process, with:

- single-threaded BLAS (bot/runtime.py), before anything imports numpy;
- Rasa's HTTP API off unless the operator sets RASA_API_JWT_SECRET, which adds
  `--enable-api --jwt-secret ... -i 127.0.0.1` here, in process (never on the command line);
  `--enable-api` without JWT authentication or on a public interface is refused
  (bot/rasa_server/guard.py);
- the request body limit, as Sanic's own SANIC_REQUEST_MAX_SIZE setting;
- the patch table (bot/rasa_server/patches), checked against the installed Rasa and installed.

Everything else (channels, NLU components, stores) Rasa loads by class path from config.yml,
credentials.yml and endpoints.yml.
"""

from __future__ import annotations

import os
import sys

from bot.runtime import single_threaded_blas


def main() -> None:
    single_threaded_blas()  # before anything imports numpy
    from bot.rasa_server import guard
    from bot.rasa_server.patches import PatchError, install_all

    sys.argv = guard.with_api_arguments(sys.argv, os.environ)
    refusal = guard.check_api_arguments(sys.argv)
    if refusal:
        print(f"bot.rasa_server.launch: {refusal}", file=sys.stderr)
        sys.exit(2)
    os.environ.update(guard.request_size_environment(os.environ))
    try:
        install_all()
    except PatchError as error:
        print(f"bot.rasa_server.launch: {error}", file=sys.stderr)
        sys.exit(2)
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    sys.argv[0] = "rasa"
    main()
