"""A fake Graph API Send endpoint on loopback that records what the connector sends, and that can
hang (hold every request until released), as the real one did for 34 s in issue 11."""

from __future__ import annotations

import json
import threading
import time
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, List


@lru_cache(maxsize=1)
def _notice_openings() -> tuple:
    from bot.i18n import SUPPORTED_LANGUAGES, speaking
    from bot.privacy.notice import notice_sentence

    openings = []
    for language in SUPPORTED_LANGUAGES:
        with speaking(language):
            openings.append(notice_sentence())
    return tuple(openings)


def is_privacy_notice(body: Dict) -> bool:
    """The notice: its sentence, in any of our languages, then the privacy page's link."""
    text = (body.get("message") or {}).get("text", "")
    return "/privacy" in text and text.startswith(_notice_openings())


class FakeGraph:
    def __init__(self) -> None:
        self.received: List[Dict] = []
        self._changed = threading.Condition()
        self._open = threading.Event()
        self._open.set()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if not fake._open.wait(timeout=120):
                    return
                with fake._changed:
                    fake.received.append({"path": self.path, "body": body, "at": time.monotonic()})
                    fake._changed.notify_all()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"message_id": "m"}')
                except OSError:
                    pass  # the client gave up waiting (it was held): it counts as received

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v18.0"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def hold(self) -> None:
        """Hang: every request waits, unanswered, until `release()`."""
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    def messages_to(
        self, recipient: str, count: int = 1, timeout: float = 20, notices: bool = False
    ) -> List[Dict]:
        """Wait until `count` messages reached this recipient; return them. The privacy notice
        after a conversation's first reply (bot/privacy/) is left out unless `notices`: the
        tests count answers."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                mine = [
                    r["body"]
                    for r in self.received
                    if r["body"]["recipient"]["id"] == recipient
                    and (notices or not is_privacy_notice(r["body"]))
                ]
                if len(mine) >= count or time.monotonic() > deadline:
                    return mine
                self._changed.wait(timeout=0.2)

    def close(self) -> None:
        self.release()
        self.server.shutdown()
