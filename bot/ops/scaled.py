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
         nginx tells the apps each client's address in a `Forwarded` header signed with a
         secret made for each run (SANIC_FORWARDED_SECRET), and limits requests per address
         (FRONT_LIMIT_*, bot/ops/services/front_limits.py).
         `make run-scaled` or `PROFILE=scaled make run`.

How each process is supervised (bot/ops/supervise.py restarts any that dies, with back-off) and
how it dies with the supervisor, even on `kill -9`:
  Rasa, action servers, web app  PR_SET_PDEATHSIG=SIGTERM (bot/ops/lifeline.py)
  nginx       in the foreground (`daemon off;`), PR_SET_PDEATHSIG=SIGTERM: the master stops
              its workers
  PostgreSQL  in the foreground (`postgres -D`, not pg_ctl's daemon), PR_SET_PDEATHSIG=SIGINT
              (fast shutdown); a stale postmaster.pid is PostgreSQL's own to replace
  Redis       in the foreground (`daemonize no`), PR_SET_PDEATHSIG=SIGTERM
A PostgreSQL or Redis that was already running (started by hand, or by another tool) is
reused, neither supervised nor stopped: it is not ours. Anything an earlier run left (its status
file names every child with its command line) is stopped before a new start, and a port held by
anything else is refused by name (bot/ops/status.py, bot/ops/health.py), so a start never
fails halfway with "address already in use".

Why the action servers sit behind nginx rather than one per Rasa replica: actions are
stateless (knowledge base in memory, staff data in PostgreSQL), and with a fixed pairing a dead
action server would make its Rasa replica apologise for every answer until someone restarts it.
Through nginx a refused connection is retried on the other action server at once (the request
was never sent, so it cannot run twice), and a dead server is skipped for 5 s; only calls in
flight when it died get the apology (bot/rasa_server/patches/action_timeout.py). The hop costs
well under a millisecond on loopback; in Kubernetes it is simply the actions Service (deploy/).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from bot import paths
from bot.ops.health import http_ready, refuse_taken_ports, wait_until
from bot.ops.processes import Servers
from bot.ops.services.front_limits import FrontLimits
from bot.ops.services.nginx import Nginx, nginx_conf
from bot.ops.services.postgres import LocalPostgres
from bot.ops.services.redis import LocalRedis
from bot.ops.supervise import Child, supervise

SCALED_VAR = paths.VAR / "scaled"


def scaled_var() -> Path:
    """SCALED_VAR_DIR, else var/scaled: the profile's data, logs and passwords (the soak's
    supervised drills run it elsewhere)."""
    return Path(os.environ.get("SCALED_VAR_DIR") or SCALED_VAR)


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


def action_server_token(path: Path, values: dict[str, str]) -> str:
    """The secret Rasa sends the action servers (bot/action_server/auth.py): kept in
    secrets.json with the passwords, added to a secrets.json written before it existed."""
    if not values.get("actions"):
        values["actions"] = secrets.token_urlsafe(32)
        path.write_text(json.dumps(values))
    return values["actions"]


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
    # Per-address request limits at nginx (FRONT_LIMIT_* unless given).
    limits: FrontLimits = field(default_factory=FrontLimits.from_env)
    # What nginx signs the client address with; the apps trust only that (Sanic's own
    # FORWARDED_SECRET). New every run: nginx and the apps always start together.
    forwarded_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    postgres: LocalPostgres | None = None
    redis: LocalRedis | None = None
    nginx: Nginx | None = None
    servers: list = field(default_factory=list)  # one bot.ops.processes.Servers per replica

    def __post_init__(self) -> None:
        self.ports.rasa = self.ports.rasa[: self.replicas]
        self.ports.actions = self.ports.actions[: self.action_servers]
        self.log_dir = self.log_dir or self.var_dir / "logs"
        self.secrets = load_secrets(self.var_dir / "secrets.json")
        action_server_token(self.var_dir / "secrets.json", self.secrets)

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
            "LOCK_STORE_TYPE": "bot.rasa_server.lock_store.ResilientRedisLockStore",
            "REDIS_HOST": "127.0.0.1",
            "REDIS_PORT": str(self.ports.redis),
            "REDIS_PASSWORD": self.secrets["redis"],
            "REDIS_DB": "1",
            "TICKET_LOCK_LIFETIME": str(self.lock_lifetime),
            "ACTION_SERVER_URL": f"http://127.0.0.1:{self.ports.actions_lb}/webhook",
            "ACTION_SERVER_TOKEN": self.secrets["actions"],
            "WIDGET_ORIGINS": ",".join(origins),
            "BOT_SOCKET_URL": self.front,
            "SANIC_FORWARDED_SECRET": self.forwarded_secret,
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
            forwarded_secret=self.forwarded_secret,
            limits=self.limits,
        )

    def start(self) -> ScaledProfile:
        from bot.staff_db.bootstrap import prepare_database

        self.postgres = LocalPostgres(self.var_dir / "postgres", self.ports.postgres, self.durable)
        self.postgres.ensure_running(foreground=True)
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
        wait_until("nginx", lambda: http_ready(f"http://127.0.0.1:{self.ports.front}/health"), 30)
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
            "A process that dies is restarted (`python -m bot status --profile scaled`); "
            "the others keep serving.\nPress Ctrl-C to stop.\n"
        )

    @staticmethod
    def role(process: subprocess.Popen) -> str:
        return Servers.role(process)

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

    def our_ports(self) -> dict[str, int]:
        """The ports this profile's own servers listen on (PostgreSQL and Redis may be reused)."""
        p = self.ports
        return {
            "nginx": p.front,
            "actions balancer": p.actions_lb,
            "web app": p.web,
            **{f"Rasa {i + 1}": port for i, port in enumerate(p.rasa)},
            **{f"action server {i + 1}": port for i, port in enumerate(p.actions)},
        }

    def children(self) -> list[Child]:
        """Every process this run started, as the supervisor restarts it."""
        found: list[Child] = []
        if self.postgres and self.postgres.started and self.postgres.process:
            found.append(
                Child("postgres", self.postgres.spawn, self.postgres.process, log=self.postgres.log)
            )
        if self.redis and self.redis.started and self.redis.process:
            found.append(Child("redis", self.redis.spawn, self.redis.process, log=self.redis.log))
        for role, count in (("actions", self.action_servers), ("rasa", self.replicas)):
            for index, servers in enumerate(self.servers[:count]):
                found.append(
                    Child(
                        f"{role}-{index + 1}",
                        lambda servers=servers, role=role: servers.respawn(role),
                        servers.process_of(role),
                        log=servers.log_of(role),
                    )
                )
        found.append(
            Child(
                "web",
                lambda: self.servers[0].respawn("web"),
                self.servers[0].process_of("web"),
                log=self.servers[0].log_of("web"),
            )
        )
        if self.nginx and self.nginx.process:
            found.append(
                Child(
                    "nginx", self.nginx.start, self.nginx.process, self.nginx.prefix / "error.log"
                )
            )
        return found

    def reused(self) -> list[str]:
        """What this run uses without owning it (shown by `python -m bot status`)."""
        notes = []
        if self.postgres and not self.postgres.started:
            notes.append(f"postgres: already running on port {self.ports.postgres}, reused")
        if self.redis and not self.redis.started:
            notes.append(f"redis: already running on port {self.ports.redis}, reused")
        return notes

    def processes(self) -> list[subprocess.Popen]:
        found = [p for servers in self.servers for p in servers.processes]
        return found + [x.process for x in (self.nginx, self.redis) if x and x.process]


def serve_scaled(model: str) -> int:
    scaled = ScaledProfile(model=model, var_dir=scaled_var())
    print(
        "Starting the scaled profile: PostgreSQL, Redis, 2 action servers, 2 Rasa servers, "
        "the web app and nginx (loading the models takes ~30-60 s)...",
        flush=True,
    )

    def start() -> None:
        refuse_taken_ports(scaled.our_ports())
        scaled.start()

    return supervise(
        "the scaled profile",
        start,
        scaled.describe,
        scaled.children,
        scaled.stop,
        profile="scaled",
        external=scaled.reused,
    )
