"""Process settings every serving process applies before numpy is imported.

OpenBLAS (numpy's BLAS) starts one thread per core, and after every call its threads spin
waiting for more work. The servers do only small matrix-vector products (the intent
classifier's logistic regressions, FAQ cosine scores), so those threads computed nothing useful
and burned a core: py-spy and /proc under `make bench` showed the Rasa server at 152% CPU and
37.6 ms of CPU per message; single-threaded BLAS gave 102% and 25.6 ms at the same throughput.
TensorFlow (the MiniLM encoder) keeps its own thread pool. An operator's own setting wins.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def single_threaded_blas() -> bool:
    """Effective only before numpy is first imported (BLAS reads these when it loads), so the
    server entry points call it first thing; imported later (in a test), it changes nothing
    and says so."""
    if "numpy" in sys.modules:
        return False
    for variable in BLAS_THREAD_VARIABLES:
        os.environ.setdefault(variable, "1")
    return True


@contextmanager
def without_tensorflow() -> Iterator[None]:
    """thinc (spaCy's machine-learning library) tries `import tensorflow` when it loads, only to
    offer TensorFlow models the build never uses: seconds of start-up and CUDA warnings. With
    None in sys.modules that import fails at once with ImportError, which thinc handles; the
    marker is removed afterwards. A process that already has TensorFlow keeps it."""
    blocked = "tensorflow" not in sys.modules
    if blocked:
        sys.modules["tensorflow"] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        if blocked and sys.modules.get("tensorflow", 0) is None:
            del sys.modules["tensorflow"]
