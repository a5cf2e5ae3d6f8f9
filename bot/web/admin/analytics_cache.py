"""The last few reports, so the CSV after the page (or a reload) does not build one again.

A report over 100,000 conversations takes seconds to build (bot/analytics/report.py); the same
filters asked again within `ttl` seconds, while the aggregate's watermark has not moved, get the
same report. The watermark moves with every new conversation read, so new figures are never
held back; what can be up to `ttl` old is what changes beside it (a handoff closed, a 👍 given,
a conversation deleted on request), and the page says when its report was built.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from bot.web.admin.analytics_query import BAKU

Built = tuple[dict[str, Any], dt.datetime]  # the report, and when it was built (Baku time)


class ReportCache:
    def __init__(self, ttl_seconds: float = 30.0, size: int = 16) -> None:
        self.ttl_seconds = ttl_seconds
        self.size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[float, Built]] = OrderedDict()

    def get(self, key: Hashable, build: Callable[[], dict[str, Any]]) -> Built:
        """The cached report for `key` if still fresh, else `build()` (outside the lock)."""
        now = time.monotonic()
        with self._lock:
            found = self._entries.get(key)
            if found is not None and now - found[0] < self.ttl_seconds:
                self._entries.move_to_end(key)
                return found[1]
        built = (build(), dt.datetime.now(BAKU))
        with self._lock:
            self._entries[key] = (time.monotonic(), built)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return built
