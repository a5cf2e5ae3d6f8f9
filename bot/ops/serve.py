"""`python -m bot serve` (`make run`): the profile named by PROFILE, supervised."""

from __future__ import annotations

from bot.ops.processes import Servers
from bot.ops.profiles import profile
from bot.ops.supervise import supervise


def serve(rasa_port: int, action_port: int, model: str, web_port: int | None = 8000) -> int:
    """`make run`: the profile named by PROFILE (bot/ops/profiles.py); `default` unless told."""
    if profile() == "scaled":
        from bot.ops.scaled import serve_scaled  # imported only when used: PostgreSQL, Redis, nginx

        return serve_scaled(model)
    servers = Servers(rasa_port, action_port, model, web_port=web_port)

    def describe() -> str:
        return (
            "\nThe assistant is ready.\n"
            f"  REST:  curl -s -X POST {servers.webhook} -H 'Content-Type: application/json' "
            '-d \'{"sender": "me", "message": "hello"}\'\n'
            + (f"  Website with the chat widget: {servers.page}\n" if web_port else "")
            + f"  Actions server: http://127.0.0.1:{action_port}/health\n"
            + f"  Conversations: {servers._env()['TRACKER_STORE_URL']}\n"
            "Press Ctrl-C to stop.\n"
        )

    print("Starting the action server and the Rasa server (loading the model takes ~20 s)...")
    return supervise(
        "the assistant", servers.start, describe, lambda: servers.processes, servers.stop
    )
