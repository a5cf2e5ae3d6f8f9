"""A small Sanic app serving the demo university page with the rasa-webchat widget.

The widget bundle comes from node_modules (installed by `make` from package-lock.json), never
from a CDN and never copied into the repo. The page carries its configuration as a JSON data
block, so no inline script is needed and the Content-Security-Policy can forbid them. The
configuration holds the widget's own strings in every language the assistant speaks
(bot/web/widget_text.py); /widget/text/<lang>.json serves one language to other sites.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import List
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Sanic, response
from sanic.exceptions import NotFound
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.engine import Engine

from bot import paths
from bot.answers.base import knowledge
from bot.i18n import SUPPORTED_LANGUAGES
from bot.web import privacy
from bot.web.admin import AdminSettings, register_admin
from bot.web.widget_text import all_widget_text, widget_text

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
WEBCHAT_BUNDLE = paths.ROOT / "node_modules" / "rasa-webchat" / "lib" / "index.js"


@dataclass
class WebConfig:
    """Where the widget connects, and what the page allows itself to load."""

    socket_url: str = "http://localhost:5005"
    # The widget's language before the conversation has one; None: the page's <html lang>.
    lang: str | None = None
    extra_connect_origins: List[str] = field(default_factory=list)

    @classmethod
    def from_env(cls) -> WebConfig:
        return cls(
            socket_url=os.environ.get("BOT_SOCKET_URL", cls.socket_url),
            lang=os.environ.get("WIDGET_LANG") or None,
        )

    def widget_settings(self) -> dict:
        settings = {
            "socketUrl": self.socket_url,
            "text": all_widget_text(),
            "privacyUrl": "/privacy",  # the notice's link (widget.js adds ?lang=)
        }
        if self.lang in SUPPORTED_LANGUAGES:
            settings["lang"] = self.lang
        return settings

    def content_security_policy(self) -> str:
        """Scripts only from this origin; sockets only to the bot; no framing by other sites."""
        bot = urlsplit(self.socket_url)
        ws_scheme = "wss" if bot.scheme == "https" else "ws"
        connect = ["'self'", f"{bot.scheme}://{bot.netloc}", f"{ws_scheme}://{bot.netloc}"]
        connect += self.extra_connect_origins
        return "; ".join(
            [
                "default-src 'self'",
                "script-src 'self'",
                # rasa-webchat injects its stylesheet as <style> elements at run time.
                "style-src 'self' 'unsafe-inline'",
                "img-src 'self' data:",
                "font-src 'self' data:",
                f"connect-src {' '.join(connect)}",
                "object-src 'none'",
                "base-uri 'none'",
                "form-action 'self'",
                "frame-ancestors 'none'",
            ]
        )


SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def create_app(
    config: WebConfig | None = None,
    name: str = "beu_web",
    engine: Engine | None = None,
    admin: AdminSettings | None = None,
) -> Sanic:
    """The demo page, and the staff admin under /admin on the staff database (`engine`,
    default DATABASE_URL / var/staff.sqlite3; migrated before the server starts)."""
    config = config or WebConfig.from_env()
    app = Sanic(name)
    templates = Environment(
        loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"])
    )
    app.ctx.config = config
    app.ctx.templates = templates

    @app.get("/")
    async def index(request: Request) -> HTTPResponse:
        page = templates.get_template("index.html").render(
            university=knowledge().kb.university.name,  # named once, in knowledge/kb.yml
            widget_settings=json.dumps(config.widget_settings()),
        )
        return response.html(page)

    @app.get("/privacy")
    async def privacy_page(request: Request) -> HTTPResponse:
        """What is kept, for how long, who reads it, how to have it deleted (bot/web/privacy.py)."""
        language = privacy.chosen_language(
            request.args.get("lang"), request.headers.get("accept-language")
        )
        context = privacy.rendered(privacy.page_context(language))
        page = templates.get_template("privacy.html").render(
            university=knowledge().kb.university.name, **context
        )
        return response.html(
            page, headers={"Content-Language": language, "Vary": "Accept-Language"}
        )

    @app.get("/health")
    async def health(request: Request) -> HTTPResponse:
        return response.json({"status": "ok", "widget": WEBCHAT_BUNDLE.is_file()})

    @app.get("/vendor/rasa-webchat.js")
    async def webchat_bundle(request: Request) -> HTTPResponse:
        if not WEBCHAT_BUNDLE.is_file():
            return response.text(
                "The chat widget is not installed: run `make web-deps` (npm ci).", status=503
            )
        return await response.file(
            WEBCHAT_BUNDLE, headers={"Cache-Control": "public, max-age=3600"}
        )

    @app.get("/widget/text/<name>")
    async def widget_strings(request: Request, name: str) -> HTTPResponse:
        """One language's widget strings, for a site that embeds the widget (public, cached)."""
        language = name.removesuffix(".json")
        if not name.endswith(".json") or language not in SUPPORTED_LANGUAGES:
            raise NotFound(f"no widget strings {name!r}")
        return response.json(
            widget_text(language),
            headers={"Cache-Control": "public, max-age=3600", "Access-Control-Allow-Origin": "*"},
        )

    static_files = {path.name: path for path in STATIC.iterdir() if path.is_file()}

    @app.get("/static/<name:path>")
    async def static_file(request: Request, name: str) -> HTTPResponse:
        # Not Sanic's app.static: in 21.12 it answers /static/ and a %00 in the name with a 500
        # (IsADirectoryError, "embedded null byte"). A fixed set of files, looked up by name:
        # anything else (a directory, a NUL, a `..`) is simply not one of them.
        path = static_files.get(name)
        if path is None:
            raise NotFound(f"no static file {name!r}")
        return await response.file(path)

    register_admin(app, engine, admin)

    @app.on_response
    async def security_headers(request: Request, resp: HTTPResponse) -> None:
        for header, value in SECURITY_HEADERS.items():
            resp.headers.setdefault(header, value)
        if resp.content_type and resp.content_type.startswith("text/html"):
            # setdefault: the admin's pages send their own, stricter policy.
            resp.headers.setdefault("Content-Security-Policy", config.content_security_policy())

    return app


def run(host: str, port: int, config: WebConfig | None = None) -> None:
    app = create_app(config)
    app.run(host=host, port=port, access_log=False, motd=False)
