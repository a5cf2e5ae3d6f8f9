"""Running the admin for tests: the app on a loopback port in a thread, a fake bot, a client.

sanic-testing is not installed, so the app is started with Sanic's own `create_server` in a
background event loop and driven over real HTTP with `requests`, cookies and all.
"""

from __future__ import annotations

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List

import numpy as np
import requests

from tests.system import free_port

USERNAME = "staff.one"
PASSWORD = "correct horse battery"


class FakeBot:
    """Stands in for Rasa's REST webhook: records each request, answers with `replies`."""

    def __init__(self) -> None:
        self.requests: List[Dict[str, Any]] = []
        self.replies: List[Dict[str, Any]] = [{"recipient_id": "x", "text": "Hello from the bot"}]
        self.status = 200
        bot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                bot.requests.append(
                    {"path": self.path, "body": json.loads(self.rfile.read(length) or b"null")}
                )
                body = json.dumps(bot.replies).encode()
                self.send_response(bot.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/rest/webhook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class TopicEncoder:
    """A stand-in for MiniLM: texts sharing a topic word get the same vector, others their own."""

    TOPICS = ("shuttle", "gym", "dorm")

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts: List[str]) -> np.ndarray:
        self.calls += 1
        rows = []
        for text in texts:
            vector = np.zeros(64)
            topic = next((i for i, t in enumerate(self.TOPICS) if t in text.lower()), None)
            slot = topic if topic is not None else 3 + sum(map(ord, text)) % 60
            vector[slot] = 1.0
            rows.append(vector)
        return np.array(rows)


class LiveApp:
    """The web app (demo page + admin) listening on 127.0.0.1:<free port> in a thread."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.loop = asyncio.new_event_loop()
        self.server: Any = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self._ready = threading.Event()
        self._error: BaseException | None = None

    async def _start(self) -> None:
        self.server = await self.app.create_server(
            host="127.0.0.1", port=self.port, return_asyncio_server=True, access_log=False
        )
        # create_server has already started listening (it awaits the AsyncioServer).
        await self.server.startup()
        await self.server.before_start()
        await self.server.after_start()

    async def _stop(self) -> None:
        await self.server.before_stop()
        for connection in list(self.server.connections):
            connection.close()
        self.server.close()
        await self.server.wait_closed()
        await self.server.after_stop()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._start())
        except BaseException as error:
            self._error = error
            self._ready.set()
            return
        self._ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(self._stop())
        self.loop.close()

    def start(self) -> LiveApp:
        self.thread.start()
        self._ready.wait(30)
        if self._error:
            raise self._error
        return self

    def stop(self) -> None:
        if self.loop.is_running():
            self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(15)


class Client:
    """A browser-like HTTP client for the admin: cookies kept, redirects not followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()
        self.csrf: str | None = None

    def url(self, path: str) -> str:
        return self.base + path

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        return self.http.get(self.url(path), timeout=30, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        return self.http.post(self.url(path), timeout=30, **kwargs)

    def login(self, username: str = USERNAME, password: str = PASSWORD) -> requests.Response:
        reply = self.post("/admin/api/login", json={"username": username, "password": password})
        if reply.status_code == 200:
            self.csrf = reply.json()["csrf_token"]
        return reply

    def api(self, method: str, path: str, body: Any = None, csrf: bool = True) -> requests.Response:
        headers = {"X-CSRF-Token": self.csrf} if csrf and self.csrf else {}
        return self.http.request(
            method, self.url("/admin/api" + path), json=body, headers=headers, timeout=30
        )

    def form(self, path: str, data: Dict[str, Any], csrf: bool = True) -> requests.Response:
        data = dict(data)
        if csrf:
            data.setdefault("csrf_token", self.csrf)
        return self.post(path, data=data)

    def close(self) -> None:
        self.http.close()
