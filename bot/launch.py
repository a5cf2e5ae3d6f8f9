"""`python -m bot.launch ARGS` is `rasa ARGS` with our resilience wrapper installed first."""

from __future__ import annotations

import sys

from bot import resilience


def main() -> None:
    resilience.install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    sys.argv[0] = "rasa"
    main()
