"""Run a set of started processes until Ctrl-C, SIGTERM or the death of one of them."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Callable, List


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # same clean shutdown as Ctrl-C, so no server is left orphaned


def supervise(
    what: str,
    start: Callable[[], object],
    describe: Callable[[], str],
    processes: Callable[[], List[subprocess.Popen]],
    stop: Callable[[], None],
) -> int:
    """Start the servers, say where they are, and run until Ctrl-C or SIGTERM (exit 0) or until
    one of them dies (exit 1); whatever happens, every server is stopped."""
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        start()
        print(describe(), flush=True)
        while all(p.poll() is None for p in processes()):
            time.sleep(0.5)
        print("A server stopped unexpectedly; shutting down.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping...")
        return 0
    except (RuntimeError, TimeoutError) as error:
        print(f"Could not start {what}: {error}", file=sys.stderr)
        return 1
    finally:
        stop()
