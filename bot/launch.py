"""`python -m bot.launch ARGS` is `rasa ARGS` with our patches installed first: the apology when
the action server fails (bot.resilience), the per-message waste removed (bot.speedups, and
single-threaded BLAS: bot.runtime), and the message limits checked before NLU (bot.guard:
size, empty, control characters, per-sender rate limit, request body size).

Rasa's HTTP API stays off unless the operator sets RASA_API_JWT_SECRET, which adds
`--enable-api --jwt-secret ... -i 127.0.0.1` here, in process (never on the command line);
`--enable-api` without JWT authentication or on a public interface is refused.
"""

from __future__ import annotations

import os
import sys

from bot.runtime import single_threaded_blas


def main() -> None:
    single_threaded_blas()  # before anything imports numpy
    from bot import guard, resilience, speedups

    sys.argv = guard.with_api_arguments(sys.argv, os.environ)
    refusal = guard.check_api_arguments(sys.argv)
    if refusal:
        print(f"bot.launch: {refusal}", file=sys.stderr)
        sys.exit(2)
    resilience.install()
    speedups.install()
    guard.install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    sys.argv[0] = "rasa"
    main()
