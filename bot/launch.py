"""`python -m bot.launch ARGS` is `rasa ARGS` with our two patches installed first: the apology
when the action server fails (bot.resilience) and the per-message waste removed (bot.speedups)."""

from __future__ import annotations

import sys

from bot import resilience, speedups


def main() -> None:
    resilience.install()
    speedups.install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    sys.argv[0] = "rasa"
    main()
