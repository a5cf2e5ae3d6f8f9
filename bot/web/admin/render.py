"""Server-rendered admin pages: Jinja2 with autoescape, a strict CSP, and safe markdown.

Answers are markdown written by staff and shown back to staff: `markdown` escapes every
character of HTML first and only then turns a small subset (paragraphs, line breaks, **bold**,
bullet and numbered lists, [links](https://...) with http(s) targets only) into tags.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
CSRF_MESSAGE = (
    "This form could not be accepted: it has expired or did not come from this admin. "
    "Go back, reload the page and try again."
)
# Admin pages load nothing but their own stylesheet and script.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
# Runs on escaped text: no raw <, >, " or ' can be inside, so the href cannot break out.
_LINK = re.compile(r"\[([^\[\]]+)\]\((https?://[^\s()]+)\)")
_BULLET = re.compile(r"^\s*[-*•]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")


def _inline(text: str) -> str:
    html = str(escape(text))
    html = _LINK.sub(r'<a href="\2" rel="noopener noreferrer" target="_blank">\1</a>', html)
    return _BOLD.sub(r"<strong>\1</strong>", html)


def markdown(text: Any) -> Markup:
    """A safe subset of markdown as HTML (see the module docstring)."""
    out: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    kind = ""

    def flush_paragraph() -> None:
        if paragraph:
            out.append("<p>" + "<br>".join(_inline(line) for line in paragraph) + "</p>")
            paragraph.clear()

    def flush_list() -> None:
        nonlocal kind
        if items:
            out.append(f"<{kind}>" + "".join(f"<li>{i}</li>" for i in items) + f"</{kind}>")
            items.clear()
        kind = ""

    for line in str(text or "").splitlines():
        bullet, numbered = _BULLET.match(line), _NUMBERED.match(line)
        if bullet or numbered:
            flush_paragraph()
            wanted = "ul" if bullet else "ol"
            if kind and kind != wanted:
                flush_list()
            kind = wanted
            items.append(_inline((bullet or numbered).group(1)))
        elif not line.strip():
            flush_paragraph()
            flush_list()
        else:
            flush_list()
            paragraph.append(line.strip())
    flush_paragraph()
    flush_list()
    return Markup("".join(out))


def when(value: Any) -> str:
    """A timestamp as staff read it: '2024-09-01 14:05 UTC'."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc)
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def excerpt(text: Any, length: int = 140) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


_environment = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters.update(markdown=markdown, when=when, excerpt=excerpt)


def page(
    request: Request, template: str, status: int = 200, session: Any = None, **context: Any
) -> HTTPResponse:
    """Render `admin/<template>` with the session's user and CSRF token available."""
    session = session if session is not None else getattr(request.ctx, "session", None)
    html = _environment.get_template(f"admin/{template}").render(
        session=session,
        csrf_token=session.csrf_token if session else "",
        path=request.path,
        **context,
    )
    return response.html(html, status=status, headers=dict(HEADERS))


def error_page(request: Request, session: Any, status: int, message: str) -> HTTPResponse:
    titles = {403: "Not allowed", 404: "Not found", 429: "Too many attempts"}
    title = titles.get(status, "Something went wrong")
    return page(request, "error.html", status, session, title=title, message=message)


def redirect(to: str) -> HTTPResponse:
    return response.redirect(to, headers=dict(HEADERS))
