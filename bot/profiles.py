"""The two ways to run the assistant, chosen by PROFILE (default: `default`).

default  one Rasa server, one action server, the web app. Conversations in SQLite
         (var/tracker.sqlite3, they survive a restart), locks in memory. `make run`.
scaled   what a university website needs at enrolment peak, on one machine or many:
           nginx :8080  /webhooks/*   round-robin over the Rasa replicas (REST, Messenger)
                        /socket.io/*  sticky (cookie set with the page, else client address):
                                      the widget starts with long-polling, whose requests must
                                      all reach the replica that holds the socket.io session
                        /*            the web app (demo page, staff admin)
           nginx 127.0.0.1:5050       round-robin over the action servers, for every replica
           2 Rasa servers, 2 action servers, 1 web app, all on 127.0.0.1
           PostgreSQL (tracker store `beu_tracker`, staff database `beu_staff`)
           Redis (lock store: one message at a time per conversation, across replicas)
         PostgreSQL and Redis are project-local (var/scaled/, own ports 5433 and 6380, never
         the system's instances), started when not already running, and stopped on exit only
         if this run started them. Passwords are generated into var/scaled/secrets.json.
         `make run-scaled` or `PROFILE=scaled make run`.

Why the action servers sit behind nginx rather than one per Rasa replica: actions are
stateless (knowledge base in memory, staff data in PostgreSQL), and with a fixed pairing a dead
action server would make its Rasa replica apologise for every answer until someone restarts it.
Through nginx a refused connection is retried on the other action server at once (the request
was never sent, so it cannot run twice), and a dead server is skipped for 5 s; only calls in
flight when it died get the apology (bot/resilience.py). The hop costs well under a
millisecond on loopback; in Kubernetes it is simply the actions Service (deploy/).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bot import paths

PROFILES = ("default", "scaled")
SCALED_VAR = paths.VAR / "scaled"
NGINX_USER = "www-data"  # workers drop to this user when nginx is started as root


def profile() -> str:
    name = os.environ.get("PROFILE", "default").strip() or "default"
    if name not in PROFILES:
        raise SystemExit(f"PROFILE must be one of {', '.join(PROFILES)}, not {name!r}")
    return name


def default_store_env(tracker_db: Path | None = None) -> dict[str, str]:
    """What endpoints.yml needs for the default profile: SQLite tracker, in-memory locks (the
    redis settings must exist for ${VAR} substitution but are not used)."""
    return {
        "TRACKER_STORE_URL": f"sqlite:///{tracker_db or paths.VAR / 'tracker.sqlite3'}",
        "LOCK_STORE_TYPE": "in_memory",
        "REDIS_HOST": "localhost",
        "REDIS_PORT": "6379",
        "REDIS_PASSWORD": "",
        "REDIS_DB": "1",
    }


def _port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def http_ready(url: str) -> bool:
    """The URL answers 200 (a server's health check)."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _wait(what: str, check, timeout: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not ready after {timeout:.0f}s")
        time.sleep(0.2)


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


def require(binary: str, package: str) -> str:
    found = shutil.which(binary) or (
        f"/usr/sbin/{binary}" if Path(f"/usr/sbin/{binary}").exists() else None
    )
    if not found:
        raise RuntimeError(f"{binary} is not installed: apt-get install {package}")
    return found


# -- PostgreSQL ----------------------------------------------------------------------------------


class LocalPostgres:
    """A PostgreSQL cluster in `root`, on 127.0.0.1:`port` (password auth) and a private socket
    (trust, reachable by root and postgres only). Run as `postgres` when we are root, since
    PostgreSQL refuses to run as root."""

    def __init__(self, root: Path, port: int, durable: bool = True) -> None:
        self.root, self.port, self.durable = root, port, durable
        self.data, self.socket_dir = root / "data", root / "socket"
        self.log = root / "postgres.log"
        self.bin = find_pg_bin()
        self.as_root = os.geteuid() == 0
        self.started = False

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

    def ensure_running(self) -> LocalPostgres:
        self.root.mkdir(parents=True, exist_ok=True)
        self._prepare_dirs()
        if self.running():
            return self
        if _port_open(self.port):
            raise RuntimeError(
                f"port {self.port} is taken by another server: set PG_PORT to a free port"
            )
        if not (self.data / "PG_VERSION").exists():
            self._run(
                "initdb", "-D", str(self.data), "--username=postgres", "--auth-local=trust",
                "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C",
                *([] if self.durable else ["--no-sync"]),
            )  # fmt: skip
        self.start()
        self.started = True
        return self

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

    def stop(self) -> None:
        if self.running():
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

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


# -- Redis ---------------------------------------------------------------------------------------


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
        if _port_open(self.port):
            raise RuntimeError(
                f"port {self.port} is taken by another server: set REDIS_LOCAL_PORT to a free one"
            )
        self.start()
        self.started = True
        return self

    def start(self) -> None:
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
        )
        _wait(f"Redis on port {self.port}", self.ping, 20)

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


# -- nginx ---------------------------------------------------------------------------------------


NGINX_CONF = """\
# Generated by bot/profiles.py (the scaled profile writes it on every start; deploy/nginx.conf
# is the same for docker-compose: `python -m bot.profiles compose-nginx > deploy/nginx.conf`).
{user_line}worker_processes auto;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;

events {{ worker_connections 4096; }}

http {{
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    log_format upstream '$remote_addr [$time_iso8601] "$request" $status '
                        'upstream=$upstream_addr rt=$request_time urt=$upstream_response_time';
    access_log {prefix}/access.log upstream buffer=64k flush=1s;
    server_tokens off;

    # REST and Messenger webhooks: round-robin; a replica that refuses connections is skipped
    # for 5 s. A POST already sent to a replica that then dies is not replayed (it could run
    # twice): the client gets 502.
    upstream rasa {{
{rasa_servers}
        keepalive 32;
        keepalive_timeout 3s;  # below Sanic's 5 s, so nginx never reuses a closing connection
    }}

    # socket.io: sticky. The page sets a random beu_affinity cookie; the widget's requests
    # (same origin) carry it from the first long-poll on. Without the cookie (another origin,
    # no cookies) the client address decides. `consistent`: when a replica dies, only its
    # sockets move, and they reconnect (the widget resumes its session from the tracker store).
    upstream rasa_socketio {{
        hash $beu_affinity consistent;
{rasa_servers}
    }}

    upstream web {{
        server {web};
        keepalive 8;
        keepalive_timeout 3s;
    }}

    upstream actions {{
{action_servers}
        keepalive 32;
        keepalive_timeout 3s;
    }}

    map $cookie_beu_affinity $beu_affinity {{
        "" $remote_addr;
        default $cookie_beu_affinity;
    }}
    map $cookie_beu_affinity $beu_affinity_cookie {{
        "" "beu_affinity=$request_id; Path=/; HttpOnly; SameSite=Lax";
        default "";
    }}
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        "" close;
    }}

    server {{
        listen {listen}:{front_port};
        server_name _;

        proxy_http_version 1.1;
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_connect_timeout 2s;

        location /webhooks/ {{
            proxy_pass http://rasa;
            proxy_set_header Connection "";
            proxy_read_timeout 60s;
            proxy_next_upstream error timeout;
        }}

        location /socket.io/ {{
            proxy_pass http://rasa_socketio;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 120s;  # engine.io pings every 25 s
            proxy_buffering off;
        }}

        location / {{
            proxy_pass http://web;
            proxy_set_header Connection "";
            add_header Set-Cookie $beu_affinity_cookie;
        }}
    }}

    # The action servers, for the Rasa replicas only (ACTION_SERVER_URL).
    server {{
        listen {actions_listen}:{actions_port};
        client_max_body_size 16m;      # the action server's own limit
        client_body_buffer_size 1m;    # a tracker is tens of kB: keep it in memory
        location / {{
            proxy_pass http://actions;
            proxy_set_header Connection "";
            proxy_connect_timeout 1s;
            proxy_read_timeout 30s;
            proxy_next_upstream error timeout;
        }}
    }}
}}
"""


def nginx_conf(
    prefix: Path | str,
    front_port: int,
    rasa: list[str],
    actions: list[str],
    actions_port: int,
    web: str,
    listen: str = "127.0.0.1",
    actions_listen: str = "127.0.0.1",
    user: str | None = None,
) -> str:
    """The nginx configuration of the scaled profile. Upstreams are `host:port` strings: one per
    replica here, one per service name in docker-compose (Docker's DNS lists every replica)."""

    def servers(addresses: list[str]) -> str:
        return "\n".join(
            f"        server {address} max_fails=1 fail_timeout=5s;" for address in addresses
        )

    if user is None and os.geteuid() == 0:
        user = NGINX_USER
    return NGINX_CONF.format(
        user_line=f"user {user};\n" if user else "",
        prefix=prefix,
        rasa_servers=servers(rasa),
        action_servers=servers(actions),
        web=web,
        front_port=front_port,
        actions_port=actions_port,
        listen=listen,
        actions_listen=actions_listen,
    )


def compose_nginx_conf() -> str:
    """deploy/nginx.conf: the same configuration for docker-compose's service names."""
    return nginx_conf(
        "/tmp/nginx",
        8080,
        ["rasa:5005"],
        ["actions:5055"],
        5050,
        "web:8000",
        listen="0.0.0.0",
        actions_listen="0.0.0.0",  # on compose's internal network only (not published)
        user="nginx",
    )


class Nginx:
    def __init__(self, prefix: Path, conf: str) -> None:
        self.prefix, self.conf_text = prefix, conf
        self.conf = prefix / "nginx.conf"
        self.process: subprocess.Popen | None = None

    def write(self) -> None:
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.prefix / "tmp" / sub).mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(self.prefix / "tmp" / sub, NGINX_USER)
        self.conf.write_text(self.conf_text)

    def command(self, *extra: str) -> list[str]:
        nginx = require("nginx", "nginx")
        error_log = str(self.prefix / "error.log")
        return [nginx, "-p", str(self.prefix), "-e", error_log, "-c", str(self.conf), *extra]

    def test(self) -> subprocess.CompletedProcess:
        self.write()
        return subprocess.run(self.command("-t"), capture_output=True, text=True, timeout=30)

    def start(self) -> None:
        checked = self.test()
        if checked.returncode != 0:
            raise RuntimeError(f"nginx configuration rejected:\n{checked.stderr}")
        self.process = subprocess.Popen(
            self.command("-g", "daemon off;"), start_new_session=True, stderr=subprocess.DEVNULL
        )

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            # Fast: the servers behind it are being stopped too, so there is nothing to drain
            # (a graceful SIGQUIT waits for idle keep-alive connections to time out).
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# -- the scaled profile --------------------------------------------------------------------------


def _env_port(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _env_ports(name: str, default: list[int]) -> list[int]:
    """A comma-separated list of ports; as many replicas as ports."""
    value = os.environ.get(name, "").strip()
    return [int(p) for p in value.split(",")] if value else default


@dataclass
class ScaledPorts:
    """Where everything listens; each default can be changed from the environment (FRONT_PORT,
    RASA_PORTS, ACTION_PORTS, ACTIONS_LB_PORT, WEB_PORT, PG_PORT, REDIS_LOCAL_PORT)."""

    front: int = field(default_factory=lambda: _env_port("FRONT_PORT", 8080))
    rasa: list[int] = field(default_factory=lambda: _env_ports("RASA_PORTS", [5005, 5006]))
    actions: list[int] = field(default_factory=lambda: _env_ports("ACTION_PORTS", [5055, 5056]))
    actions_lb: int = field(default_factory=lambda: _env_port("ACTIONS_LB_PORT", 5050))
    web: int = field(default_factory=lambda: _env_port("WEB_PORT", 8001))
    postgres: int = field(default_factory=lambda: _env_port("PG_PORT", 5433))
    redis: int = field(default_factory=lambda: _env_port("REDIS_LOCAL_PORT", 6380))


def load_secrets(path: Path) -> dict[str, str]:
    """Passwords for the local PostgreSQL role and Redis, generated once into var/ (0600)."""
    if path.exists():
        return json.loads(path.read_text())
    path.parent.mkdir(parents=True, exist_ok=True)
    values = {"postgres": secrets.token_urlsafe(24), "redis": secrets.token_urlsafe(24)}
    path.touch(mode=0o600)
    path.write_text(json.dumps(values))
    return values


@dataclass
class ScaledProfile:
    ports: ScaledPorts = field(default_factory=ScaledPorts)
    var_dir: Path = SCALED_VAR
    model: str = "models/beu.tar.gz"
    replicas: int = field(default_factory=lambda: len(_env_ports("RASA_PORTS", [0, 0])))
    action_servers: int = field(default_factory=lambda: len(_env_ports("ACTION_PORTS", [0, 0])))
    log_dir: Path | None = None
    # Seconds a conversation waits when the replica serving it died mid-message.
    lock_lifetime: int = field(default_factory=lambda: _env_port("TICKET_LOCK_LIFETIME", 10))
    durable: bool = True  # tests switch fsync off
    extra_env: dict[str, str] = field(default_factory=dict)
    postgres: LocalPostgres | None = None
    redis: LocalRedis | None = None
    nginx: Nginx | None = None
    servers: list = field(default_factory=list)  # one bot.serve.Servers per replica

    def __post_init__(self) -> None:
        self.ports.rasa = self.ports.rasa[: self.replicas]
        self.ports.actions = self.ports.actions[: self.action_servers]
        self.log_dir = self.log_dir or self.var_dir / "logs"
        self.secrets = load_secrets(self.var_dir / "secrets.json")

    # where things are
    @property
    def front(self) -> str:
        return f"http://localhost:{self.ports.front}"

    @property
    def webhook(self) -> str:
        return f"{self.front}/webhooks/rest/webhook"

    def database_url(self, name: str) -> str:
        from urllib.parse import quote

        password = quote(self.secrets["postgres"], safe="")
        return f"postgresql://beu:{password}@127.0.0.1:{self.ports.postgres}/{name}"

    @property
    def tracker_url(self) -> str:
        return self.database_url("beu_tracker")

    @property
    def staff_url(self) -> str:
        return self.database_url("beu_staff")

    def env(self) -> dict[str, str]:
        """The environment of every Rasa, action and web process of this profile."""
        origins = [self.front, f"http://127.0.0.1:{self.ports.front}"]
        return {
            "TRACKER_STORE_URL": self.tracker_url,
            "DATABASE_URL": self.staff_url,
            "LOCK_STORE_TYPE": "bot.stores.ResilientRedisLockStore",
            "REDIS_HOST": "127.0.0.1",
            "REDIS_PORT": str(self.ports.redis),
            "REDIS_PASSWORD": self.secrets["redis"],
            "REDIS_DB": "1",
            "TICKET_LOCK_LIFETIME": str(self.lock_lifetime),
            "ACTION_SERVER_URL": f"http://127.0.0.1:{self.ports.actions_lb}/webhook",
            "WIDGET_ORIGINS": ",".join(origins),
            "BOT_SOCKET_URL": self.front,
            **self.extra_env,
        }

    def nginx_conf(self) -> str:
        return nginx_conf(
            self.var_dir / "nginx",
            self.ports.front,
            [f"127.0.0.1:{port}" for port in self.ports.rasa],
            [f"127.0.0.1:{port}" for port in self.ports.actions],
            self.ports.actions_lb,
            f"127.0.0.1:{self.ports.web}",
        )

    def start(self) -> ScaledProfile:
        from bot.serve import Servers
        from bot.store.bootstrap import prepare_database

        self.postgres = LocalPostgres(self.var_dir / "postgres", self.ports.postgres, self.durable)
        self.postgres.ensure_running()
        self.postgres.ensure_databases(
            "beu", self.secrets["postgres"], ["beu_tracker", "beu_staff"]
        )
        self.redis = LocalRedis(self.var_dir / "redis", self.ports.redis, self.secrets["redis"])
        self.redis.ensure_running()
        print(prepare_database(self.staff_url), flush=True)
        env = self.env()
        # Servers i holds Rasa replica i and action server i (when there are fewer action
        # servers, it waits for one of the others: Rasa reaches them through nginx anyway).
        for index in range(max(self.replicas, self.action_servers)):
            self.servers.append(
                Servers(
                    self.ports.rasa[index % self.replicas],
                    self.ports.actions[index % self.action_servers],
                    self.model,
                    env,
                    log_dir=self.log_dir / f"replica-{index + 1}",
                    web_port=self.ports.web if index == 0 else None,
                    interface="127.0.0.1",
                )
            )
        for servers in self.servers[: self.action_servers]:
            servers.start_actions()
        for servers in self.servers[: self.replicas]:
            servers.start_rasa()
        self.servers[0].start_web()
        self.nginx = Nginx(self.var_dir / "nginx", self.nginx_conf())
        self.nginx.start()
        for servers in self.servers:
            servers.wait_ready()
        _wait("nginx", lambda: http_ready(f"http://127.0.0.1:{self.ports.front}/health"), 30)
        return self

    def stop(self) -> None:
        if self.nginx:
            self.nginx.stop()
        for servers in self.servers:
            servers.stop()
        self.servers.clear()
        if self.redis and self.redis.started:
            self.redis.stop()
        if self.postgres and self.postgres.started:
            self.postgres.stop()

    def describe(self) -> str:
        p = self.ports
        rasa = ", ".join(f"127.0.0.1:{port}" for port in p.rasa)
        actions = ", ".join(f"127.0.0.1:{port}" for port in p.actions)
        pg_started = bool(self.postgres and self.postgres.started)
        redis_started = bool(self.redis and self.redis.started)

        def reused(started: bool) -> str:
            return "started by this run" if started else "already running, reused"

        return (
            "\nThe assistant is ready (scaled profile).\n"
            f"  Website with the chat widget: {self.front}/   (staff admin: {self.front}/admin)\n"
            f"  REST:  curl -s -X POST {self.webhook} -H 'Content-Type: application/json' "
            '-d \'{"sender": "me", "message": "hello"}\'\n'
            f"  Messenger webhook: {self.front}/webhooks/messenger/webhook\n"
            f"  nginx: :{p.front} (round-robin /webhooks, sticky /socket.io, web app /), "
            f"actions balancer 127.0.0.1:{p.actions_lb}\n"
            f"  Rasa replicas: {rasa}\n"
            f"  action servers: {actions}\n"
            f"  web app: 127.0.0.1:{p.web}\n"
            f"  PostgreSQL: 127.0.0.1:{p.postgres} (databases beu_tracker, beu_staff; "
            f"{reused(pg_started)})\n"
            f"  Redis: 127.0.0.1:{p.redis} ({reused(redis_started)})\n"
            f"  logs: {self.log_dir}/, {self.var_dir / 'nginx'}/access.log; "
            f"passwords: {self.var_dir / 'secrets.json'}\n"
            "Press Ctrl-C to stop.\n"
        )

    @staticmethod
    def role(process: subprocess.Popen) -> str:
        args = [str(a) for a in process.args]  # type: ignore[union-attr]
        if "--actions" in args:
            return "actions"
        return "web" if "web" in args[:4] else "rasa"

    def process(self, role: str, index: int) -> subprocess.Popen:
        """The newest process of `role` (rasa, actions, web) in replica set `index`."""
        for process in reversed(self.servers[index].processes):
            if self.role(process) == role:
                return process
        raise LookupError(f"no {role} process in replica set {index}")

    def restart(self, role: str, index: int) -> None:
        """Start `role` of replica set `index` again (after a fault) and wait until it answers."""
        servers = self.servers[index]
        if self.process(role, index).poll() is None:
            raise RuntimeError(f"{role} {index} is still running")
        servers.processes[:] = [p for p in servers.processes if p.poll() is None]
        {"rasa": servers.start_rasa, "actions": servers.start_actions}[role]()
        servers.wait_ready()

    def processes(self) -> list[subprocess.Popen]:
        found = [p for servers in self.servers for p in servers.processes]
        return found + [x.process for x in (self.nginx, self.redis) if x and x.process]


def serve_scaled(model: str) -> int:
    from bot.serve import supervise

    scaled = ScaledProfile(model=model)
    print(
        "Starting the scaled profile: PostgreSQL, Redis, 2 action servers, 2 Rasa servers, "
        "the web app and nginx (loading the models takes ~30-60 s)...",
        flush=True,
    )
    return supervise(
        "the scaled profile", scaled.start, scaled.describe, scaled.processes, scaled.stop
    )


if __name__ == "__main__":
    if sys.argv[1:] == ["compose-nginx"]:
        sys.stdout.write(compose_nginx_conf())
    else:
        raise SystemExit("usage: python -m bot.profiles compose-nginx > deploy/nginx.conf")
