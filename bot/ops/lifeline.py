"""Children that die with their parent: Linux's PR_SET_PDEATHSIG, set between fork and exec.

Without it, `kill -9` of the supervisor (or of a test run) leaves its servers running,
unsupervised, holding their ports, and the next start fails with "address already in use".
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
from collections.abc import Callable

PR_SET_PDEATHSIG = 1


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


_LIBC = _libc()  # loaded before any fork: preexec_fn must not import or allocate much


def die_with_parent(sig: int = signal.SIGTERM) -> Callable[[], None] | None:
    """A `preexec_fn` that makes the child receive `sig` when this process dies.

    The kernel sends the signal when the *thread* that forked the child exits, so a child
    started from a worker thread (asyncio.to_thread, a test's helper thread) would be killed when
    that thread ends: there, and off Linux, this returns None and the child is on its own (the
    next start finds and replaces it, bot/ops/status.py)."""
    if _LIBC is None or threading.current_thread() is not threading.main_thread():
        return None
    parent = os.getpid()
    libc = _LIBC

    def preexec() -> None:
        libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl: nobody would signal us
            os.kill(os.getpid(), sig)

    return preexec
