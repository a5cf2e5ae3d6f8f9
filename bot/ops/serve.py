"""`python -m bot serve` (`make run`): the profile named by PROFILE, supervised
(bot/ops/supervise.py: a dead process is restarted, the others keep serving)."""

from __future__ import annotations

import os
from pathlib import Path

from bot import paths
from bot.ops.health import refuse_taken_ports
from bot.ops.processes import Servers
from bot.ops.profiles import profile
from bot.ops.supervise import Child, supervise


def log_dir() -> Path:
    """BOT_LOG_DIR, else var/logs: one file per process (the supervisor shows a crashing
    process's last lines from it)."""
    return Path(os.environ.get("BOT_LOG_DIR") or paths.VAR / "logs")


def default_children(servers: Servers) -> list[Child]:
    """The default profile's processes as the supervisor sees them: each restarted on its own."""
    return [
        Child(
            role,
            lambda role=role: servers.respawn(role),
            servers.process_of(role),
            servers.log_of(role),
        )
        for role in Servers.ROLES
        if role != "web" or servers.web_port
    ]


def serve(rasa_port: int, action_port: int, model: str, web_port: int | None = 8000) -> int:
    """`make run`: the profile named by PROFILE (bot/ops/profiles.py); `default` unless told."""
    if profile() == "scaled":
        from bot.ops.scaled import serve_scaled  # imported only when used: PostgreSQL, Redis, nginx

        return serve_scaled(model)
    servers = Servers(rasa_port, action_port, model, web_port=web_port, log_dir=log_dir())

    def describe() -> str:
        return (
            "\nThe assistant is ready.\n"
            f"  REST:  curl -s -X POST {servers.webhook} -H 'Content-Type: application/json' "
            '-d \'{"sender": "me", "message": "hello"}\'\n'
            + (f"  Website with the chat widget: {servers.page}\n" if web_port else "")
            + f"  Actions server: http://127.0.0.1:{action_port}/health\n"
            + f"  Conversations: {servers._env()['TRACKER_STORE_URL']}\n"
            + f"  Logs: {servers.log_dir}/{{actions,rasa,web}}.log\n"
            "  Processes, uptimes, restarts: python -m bot status\n"
            "A process that dies is restarted; the others keep serving. Press Ctrl-C to stop.\n"
        )

    def start() -> None:
        ports = {"Rasa": rasa_port, "action server": action_port}
        if web_port:
            ports["web app"] = web_port
        refuse_taken_ports(ports)
        servers.start()

    print("Starting the action server and the Rasa server (loading the model takes ~20 s)...")
    return supervise(
        "the assistant", start, describe, lambda: default_children(servers), servers.stop
    )
