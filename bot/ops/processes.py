"""One set of the assistant's processes: the action server, the Rasa server and the web app,
started, waited for until each answers, and stopped.

Used by `make run` (bot/ops/serve.py), the scaled profile (one set per replica), the end-to-end
tests (on free ports) and the benchmark, so all of them exercise exactly the same start-up.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List

from bot import paths
from bot.ops.health import http_ready
from bot.ops.lifeline import die_with_parent
from bot.ops.profiles import default_store_env

# How long a start waits for every server to answer (a busy or slow machine may need more).
READY_TIMEOUT_SECONDS = float(os.environ.get("READY_TIMEOUT_SECONDS") or 180)
# The secret Rasa sends the action server (bot/action_server/auth.py) when ACTION_SERVER_TOKEN is
# not set: one per run of this process, so every set of servers it starts or restarts agrees.
RUN_ACTION_TOKEN = secrets.token_urlsafe(32)


@dataclass
class Servers:
    rasa_port: int = 5005
    action_port: int = 5055
    model: str = "models/beu.tar.gz"
    config_overrides: Dict[str, str] = field(default_factory=dict)
    log_dir: Path | None = None
    # Plain `rasa run` with the given endpoints and none of our patches (the benchmark's baseline).
    stock: bool = False
    endpoints: str = "endpoints.yml"
    # The demo page with the chat widget (bot.web); None: not started (benchmark).
    web_port: int | None = None
    # Where Rasa listens; None: Rasa's default (all interfaces). The scaled profile's replicas
    # sit behind nginx on 127.0.0.1.
    interface: str | None = None
    processes: List[subprocess.Popen] = field(default_factory=list)
    # The secret Rasa sends the action server, unless ACTION_SERVER_TOKEN is set (environment
    # or config_overrides).
    action_token: str = field(default=RUN_ACTION_TOKEN, repr=False)

    @property
    def webhook(self) -> str:
        return f"http://localhost:{self.rasa_port}/webhooks/rest/webhook"

    def _env(self) -> Dict[str, str]:
        env = dict(os.environ)
        env.setdefault("RASA_TELEMETRY_ENABLED", "false")
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        env["PYTHONPATH"] = str(paths.ROOT)
        env["ACTION_SERVER_URL"] = f"http://localhost:{self.action_port}/webhook"
        env["SANIC_HOST"] = "127.0.0.1"  # the action server is internal: never on a public port
        env["FAQ_WARMUP"] = "1"  # the action server loads the FAQ index before it reports ready
        env.setdefault("ACTION_SERVER_TOKEN", self.action_token)  # Rasa -> action server secret
        env.setdefault("BOT_REST_URL", self.webhook)  # the admin's "what would the bot answer"
        # endpoints.yml's tracker and lock store: the default profile's unless told otherwise
        # (SQLite in var/, in-memory locks; bot/ops/profiles.py).
        for key, value in default_store_env().items():
            env.setdefault(key, value)
        env.update(self.config_overrides)
        if self.web_port:  # the privacy notice links the page this web app serves
            env.setdefault("PRIVACY_URL", f"http://localhost:{self.web_port}/privacy")
        if self.web_port and not env.get("WIDGET_ORIGINS"):
            env["WIDGET_ORIGINS"] = ",".join(self.web_origins)
        return env

    @property
    def web_origins(self) -> List[str]:
        return [f"http://localhost:{self.web_port}", f"http://127.0.0.1:{self.web_port}"]

    @property
    def database_url(self) -> str:
        """The staff database (FAQ, inbox) the action server and the web app share."""
        from bot.staff_db.db import database_url

        return self._env().get("DATABASE_URL") or database_url()

    @property
    def page(self) -> str:
        return f"http://localhost:{self.web_port}/"

    def _spawn(self, name: str, args: List[str]) -> subprocess.Popen:
        output = None
        if self.log_dir:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            output = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 (lives with the process)
        process = subprocess.Popen(
            args,
            cwd=paths.ROOT,
            env=self._env(),
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
            preexec_fn=die_with_parent(signal.SIGTERM),  # gone with the supervisor (or test run)
        )
        self.processes.append(process)
        return process

    def start_actions(self) -> subprocess.Popen:
        # bot.action_server is `python -m rasa_sdk` (same flags) whose errors never echo the
        # tracker; the stock baseline (benchmark) runs plain rasa_sdk.
        return self._spawn(
            "actions",
            [
                sys.executable,
                "-m",
                "rasa_sdk" if self.stock else "bot.action_server",
                "--actions",
                "actions",
                "--port",
                str(self.action_port),
            ],
        )

    def start_rasa(self) -> subprocess.Popen:
        return self._spawn(
            "rasa",
            [
                sys.executable, "-m", "rasa" if self.stock else "bot.rasa_server.launch", "run",
                "--model", self.model,
                "--endpoints", self.endpoints,
                "--credentials", "credentials.yml",
                "--port", str(self.rasa_port),
                *(["--interface", self.interface] if self.interface else []),
            ],
        )  # fmt: skip

    def start_web(self) -> subprocess.Popen:
        args = [sys.executable, "-m", "bot", "web", "--port", str(self.web_port)]
        if not self._env().get("BOT_SOCKET_URL"):
            args += ["--socket-url", f"http://localhost:{self.rasa_port}"]
        return self._spawn("web", args)

    ROLES = ("actions", "rasa", "web")

    @staticmethod
    def role(process: subprocess.Popen) -> str:
        """Which of ROLES a process of this set is, from its command line."""
        args = [str(a) for a in process.args]  # type: ignore[union-attr]
        if "--actions" in args:
            return "actions"
        return "web" if "web" in args[:4] else "rasa"

    def process_of(self, role: str) -> subprocess.Popen:
        """The newest process of `role`."""
        for process in reversed(self.processes):
            if self.role(process) == role:
                return process
        raise LookupError(f"no {role} process")

    def respawn(self, role: str) -> subprocess.Popen:
        """Start `role` again after it died (the supervisor's restart); returns at once."""
        self.processes[:] = [p for p in self.processes if p.poll() is None]
        start = {"actions": self.start_actions, "rasa": self.start_rasa, "web": self.start_web}
        return start[role]()

    def log_of(self, role: str) -> Path | None:
        return self.log_dir / f"{role}.log" if self.log_dir else None

    def wait_ready(self, timeout: float = READY_TIMEOUT_SECONDS) -> None:
        urls = [
            # /ready: the staff FAQ loaded too (it loads in the background: a restarted action
            # server serves knowledge-base answers from /health on, seconds earlier)
            f"http://127.0.0.1:{self.action_port}/{'health' if self.stock else 'ready'}",
            f"http://127.0.0.1:{self.rasa_port}/",
        ]
        if self.web_port:
            urls.append(f"http://127.0.0.1:{self.web_port}/health")
        deadline = time.monotonic() + timeout
        while not all(http_ready(u) for u in urls):
            dead = [p for p in self.processes if p.poll() is not None]
            if dead:
                raise RuntimeError(f"a server exited during start-up: {[p.args for p in dead]}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"servers not ready after {timeout:.0f}s: {urls}")
            time.sleep(0.5)

    def start(self) -> Servers:
        if not self.stock:
            from bot.staff_db.bootstrap import prepare_database

            print(prepare_database(self.database_url), flush=True)
        self.start_actions()
        self.start_rasa()
        if self.web_port:
            self.start_web()
        self.wait_ready()
        return self

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()
