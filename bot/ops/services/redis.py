"""A project-local Redis: the scaled profile's lock store."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

from bot.ops.health import port_open, wait_until
from bot.ops.lifeline import die_with_parent
from bot.ops.services import require


class LocalRedis:
    """redis-server on 127.0.0.1:`port` with a password and no persistence: locks only live as
    long as a message is processed, so a restarted Redis has nothing stale to wait for."""

    def __init__(self, root: Path, port: int, password: str) -> None:
        self.root, self.port, self.password = root, port, password
        self.config = root / "redis.conf"
        self.log = root / "redis.log"
        self.process: subprocess.Popen | None = None
        self.started = False

    def ping(self) -> bool:
        import redis

        try:
            return bool(
                redis.Redis(
                    host="127.0.0.1", port=self.port, password=self.password, socket_timeout=1
                ).ping()
            )
        except (redis.exceptions.RedisError, OSError):
            return False

    def ensure_running(self) -> LocalRedis:
        if self.ping():
            return self
        if port_open(self.port):
            raise RuntimeError(
                f"port {self.port} is taken by another server: set REDIS_LOCAL_PORT to a free one"
            )
        self.start()
        self.started = True
        return self

    def start(self) -> None:
        self.spawn()
        wait_until(f"Redis on port {self.port}", self.ping, 20)

    def spawn(self) -> subprocess.Popen:
        """redis-server in the foreground (`daemonize no`); returns at once (the supervisor's
        restart). It dies with its supervisor (PR_SET_PDEATHSIG)."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.config.write_text(
            "bind 127.0.0.1\n"
            f"port {self.port}\n"
            "protected-mode yes\n"
            f"requirepass {self.password}\n"
            'save ""\n'
            "appendonly no\n"
            f"dir {self.root}\n"
            "daemonize no\n"
        )
        self.config.chmod(0o600)
        output = open(self.log, "ab")  # noqa: SIM115 (lives with the process)
        self.process = subprocess.Popen(
            [require("redis-server", "redis-server"), str(self.config)],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches us, and we stop Redis last
            preexec_fn=die_with_parent(signal.SIGTERM),
        )
        output.close()
        return self.process

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def restart(self) -> None:
        self.stop()
        self.start()
