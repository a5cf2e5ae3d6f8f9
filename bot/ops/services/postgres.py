"""A project-local PostgreSQL cluster: the scaled profile's tracker store and staff database,
and the tests' throwaway server (tests/conftest.py).

The scaled profile runs it in the foreground (`postgres -D`, `foreground=True`) as a supervised
child with PR_SET_PDEATHSIG=SIGINT (fast shutdown), so it is restarted when it dies and stops
when its supervisor does, even on `kill -9`. The tests' throwaway clusters and the soak's
restart drills keep `pg_ctl` (daemon): they start and stop it themselves."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
from pathlib import Path

from bot.ops.health import port_open, wait_until
from bot.ops.lifeline import die_with_parent


def find_pg_bin() -> Path:
    """$PG_BIN, else the newest /usr/lib/postgresql/<version>/bin (Debian's layout)."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if not found:
        raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql")
    return found[-1].parent


class LocalPostgres:
    """A PostgreSQL cluster in `root`, on 127.0.0.1:`port` (password auth; the tests' throwaway
    clusters use `host_auth="trust"`) and a private socket (trust, reachable by root and
    postgres only). Run as `postgres` when we are root, since PostgreSQL refuses to run as
    root. `durable=False` (tests) switches fsync off: the data lives for one run."""

    def __init__(
        self, root: Path, port: int, durable: bool = True, host_auth: str = "scram-sha-256"
    ) -> None:
        self.root, self.port, self.durable, self.host_auth = root, port, durable, host_auth
        self.data, self.socket_dir = root / "data", root / "socket"
        self.log = root / "postgres.log"
        self.bin = find_pg_bin()
        self.as_root = os.geteuid() == 0
        self.started = False
        self.process: subprocess.Popen | None = None  # foreground mode only

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        argv: list[str] = [str(self.bin / command[0]), *command[1:]]
        if self.as_root:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        return subprocess.run(
            argv, check=check, capture_output=True, text=True, cwd=self.root, timeout=120
        )

    def running(self) -> bool:
        if not self.data.exists():
            return False
        return self._run("pg_ctl", "status", "-D", str(self.data), check=False).returncode == 0

    def _prepare_dirs(self) -> None:
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        self.socket_dir.chmod(0o700)
        if self.as_root:
            for path in (self.root, self.socket_dir):
                shutil.chown(path, "postgres", "postgres")

    def ensure_running(self, foreground: bool = False) -> LocalPostgres:
        self.root.mkdir(parents=True, exist_ok=True)
        self._prepare_dirs()
        if self.running():
            return self
        if port_open(self.port):
            raise RuntimeError(
                f"port {self.port} is taken by another server: set PG_PORT to a free port"
            )
        if not (self.data / "PG_VERSION").exists():
            self._run(
                "initdb", "-D", str(self.data), "--username=postgres", "--auth-local=trust",
                f"--auth-host={self.host_auth}", "--encoding=UTF8", "--locale=C",
                *([] if self.durable else ["--no-sync"]),
            )  # fmt: skip
        if foreground:
            self.spawn()
            wait_until(f"PostgreSQL on port {self.port}", self.accepting, 60)
        else:
            self.start()
        self.started = True
        return self

    def spawn(self) -> subprocess.Popen:
        """`postgres -D` in the foreground, as `postgres` when we are root; returns at once (the
        supervisor's restart). A stale postmaster.pid of a dead server is PostgreSQL's own to
        detect and replace."""
        log = open(self.log, "ab")  # noqa: SIM115 (lives with the process)
        if self.as_root:  # `pg_ctl -l` (a restart drill) appends to it as postgres
            shutil.chown(self.log, "postgres", "postgres")
        user = {"user": "postgres", "group": "postgres", "extra_groups": []} if self.as_root else {}
        self.process = subprocess.Popen(
            [str(self.bin / "postgres"), "-D", str(self.data), *shlex.split(self.options())],
            cwd=self.root,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the supervisor, which stops it last
            preexec_fn=die_with_parent(signal.SIGINT),  # SIGINT: PostgreSQL's fast shutdown
            **user,  # type: ignore[arg-type]
        )
        log.close()
        return self.process

    def accepting(self) -> bool:
        if self.process and self.process.poll() is not None:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"PostgreSQL exited ({self.process.returncode}):\n{log}")
        try:
            self.admin().close()
            return True
        except Exception:  # psycopg2.OperationalError while it starts
            return False

    def options(self) -> str:
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.socket_dir}"
            " -c max_connections=100 -c password_encryption=scram-sha-256"
        )
        if not self.durable:  # tests: the data lives for one run
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        return options

    def start(self) -> None:
        result = self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", self.options(), "-w",
            "-t", "60", "start", check=False,
        )  # fmt: skip
        if result.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"PostgreSQL did not start: {result.stderr}\n{log}")

    def restart(self) -> None:
        """A fast restart: clients are disconnected, the server is back in a second or two."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        self.start()

    def stop(self, mode: str = "fast") -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT if mode == "fast" else signal.SIGQUIT)
            try:
                self.process.wait(timeout=60)
                return
            except subprocess.TimeoutExpired:
                pass
        if self.running():
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    @property
    def superuser_url(self) -> str:
        """postgres@127.0.0.1 (needs host_auth="trust")."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def admin(self):  # type: ignore[no-untyped-def]
        import psycopg2

        connection = psycopg2.connect(
            host=str(self.socket_dir), port=self.port, user="postgres", dbname="postgres"
        )
        connection.autocommit = True
        return connection

    def ensure_databases(self, user: str, password: str, databases: list[str]) -> None:
        from psycopg2 import sql

        connection = self.admin()  # autocommit: CREATE DATABASE refuses a transaction
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (user,))
            if not cursor.fetchone():
                cursor.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(user)))
            cursor.execute(
                sql.SQL("ALTER ROLE {} PASSWORD %s").format(sql.Identifier(user)), (password,)
            )
            for name in databases:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
                if not cursor.fetchone():
                    cursor.execute(
                        sql.SQL("CREATE DATABASE {} OWNER {}").format(
                            sql.Identifier(name), sql.Identifier(user)
                        )
                    )
        connection.close()
