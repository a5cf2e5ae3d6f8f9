"""Links in answers, judged as a browser would see them, and made harmless where they are not
allowed.

An answer is markdown. Staff write some of it (bot/staff_db), the knowledge base the rest, and a
few answers quote what the student typed. Every channel shows it: REST clients and the web
widget render the markdown (rasa-webchat uses react-markdown), Messenger shows plain text. A
check of the raw text is not enough: `[x](<java\tscript:alert(1)>)` has no "javascript:" in
it, yet a browser follows `javascript:alert(1)`. So a link destination is judged after every
step between the text and the browser (`browser_url`):

- markdown: `<...>` destinations unwrapped, backslash escapes and HTML entity/numeric
  references decoded (`&#106;avascript:`), repeatedly, in case one layer hides another;
- WHATWG URL parsing: ASCII tab and newline removed anywhere, C0 controls and spaces stripped
  at both ends, the scheme compared in lower case.

Allowed: absolute https, http (with a valid host), mailto and tel links. Refused: every other
scheme (javascript, data, vbscript, file, ...) and relative or anchor-only links (`/apply`,
`#top`, `//host`), which would point at whatever site embeds the widget, or nowhere in
Messenger. `neutralise` turns a refused link into its label (plain text), drops a refused
reference definition, shows a refused autolink as text and escapes raw HTML, for every channel,
so a bad link that reached the database some other way is never emitted as a link.
`echo` makes text the student typed safe to quote in an answer.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from typing import List
from urllib.parse import urlsplit

ALLOWED_SCHEMES = ("https", "http", "mailto", "tel")

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_C0_AND_SPACE = "".join(chr(c) for c in range(0x21))
_HOST = re.compile(r"^(?:[\w-]+\.)+[\w-]{2,}$|^localhost$", re.U)
_TEL = re.compile(r"^\+?[0-9][0-9 ().\-]{2,30}$")
_MAILTO = re.compile(r"^[^@\s]+@[^@\s]+$")
# `[label]: destination` at the start of a line, also inside block quotes and list items (so any
# indentation: a list item's content is indented)
_DEFINITION = re.compile(
    r"(?m)^(?:[ \t>]|[*+\-][ \t]|\d{1,9}[.)][ \t])*"
    r"\[(?:[^\]\\\n]|\\.)+\]:[ \t]*\n?[ \t]*(<[^<>\n]*>|\S+)"
)
# `<` that could start an autolink or an HTML tag, comment or declaration
_ANGLE = re.compile(r"<(?=[A-Za-z/!?])")
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^<>\x00-\x20]*|[^<>@\s]+@[^<>@\s]+)>")
# href/src/action/formaction/xlink:href... attributes of raw HTML, quoted or not
_HTML_URL = re.compile(
    r"""(?i)<[^>]*?\b(?:href|src|action|formaction|poster|data)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)"""
)
_BARE = re.compile(r"(?i)\b(?:[a-z][a-z0-9+.-]*://\S*|www\.\S+|(?:java|vb)script:\S*|data:\S*)")
_TRAILING = ".,;!?'\"*_"


def browser_url(destination: str) -> str:
    """The URL a browser would follow for this markdown link destination."""
    url = destination.strip()
    if url.startswith("<") and url.endswith(">"):
        url = url[1:-1]
    for _ in range(5):  # "&amp;#106;" hides "&#106;": decode until nothing changes
        decoded = html.unescape(_MARKDOWN_ESCAPE.sub(r"\1", url))
        if decoded == url:
            break
        url = decoded
    return _TAB_OR_NEWLINE.sub("", url).strip(_C0_AND_SPACE)


def url_problem(destination: str) -> str | None:
    """Why this link may not appear in an answer, or None when it may."""
    url = browser_url(destination)
    if not url:
        return "empty link"
    scheme_match = _SCHEME.match(url)
    if not scheme_match:
        return f"relative link {url!r}: use a full https:// address"
    scheme = scheme_match.group(1).lower()
    rest = url[scheme_match.end() :]
    if scheme not in ALLOWED_SCHEMES:
        return f"link {url!r}: {scheme}: links are not allowed (only {', '.join(ALLOWED_SCHEMES)})"
    if scheme == "mailto":
        return None if _MAILTO.match(rest.split("?")[0]) else f"link {url!r} has no e-mail address"
    if scheme == "tel":
        return None if _TEL.match(rest) else f"link {url!r} is not a phone number"
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return f"malformed link {url!r}"
    if not rest.startswith("//") or not host or not _HOST.match(host):
        return f"link {url!r} has no valid host"
    return None


def is_allowed(destination: str) -> bool:
    return url_problem(destination) is None


@dataclass(frozen=True)
class Link:
    """One inline link or image: text[start:end] is the whole construct."""

    start: int
    end: int
    label: str
    destination: str


def _label_start(text: str, close: int) -> int:
    """Index of the `[` matching the `]` at `close` (nested brackets counted), or -1."""
    depth = 0
    index = close
    while index >= 0:
        char = text[index]
        escaped = index > 0 and text[index - 1] == "\\"
        if not escaped and char == "]":
            depth += 1
        elif not escaped and char == "[":
            depth -= 1
            if depth == 0:
                return index
        index -= 1
    return -1


def _destination_end(text: str, start: int) -> tuple[int, int]:
    """(end of the destination, end of the whole `(...)`) for a destination at `start`."""
    index = start
    while index < len(text) and text[index] in " \t":
        index += 1
    if index < len(text) and text[index] == "\n":
        index += 1
    if index < len(text) and text[index] == "<":
        close = index + 1
        while close < len(text) and text[close] not in "<>\n":
            close += 1
        dest_end = close + 1 if close < len(text) and text[close] == ">" else close
    else:
        depth = 0
        dest_end = index
        while dest_end < len(text):
            char = text[dest_end]
            if char == "\\" and dest_end + 1 < len(text):
                dest_end += 2
                continue
            if char.isspace() and char not in "\t":  # a tab is dropped by the browser
                break
            if char == "(":
                depth += 1
            elif char == ")":
                if depth == 0:
                    break
                depth -= 1
            dest_end += 1
    closing = text.find(")", dest_end)
    newline = text.find("\n\n", dest_end)
    whole_end = closing + 1 if closing != -1 and (newline == -1 or closing < newline) else dest_end
    return dest_end, whole_end


def inline_links(text: str) -> List[Link]:
    """Every `[label](destination)` and `![alt](destination)`, nested labels included."""
    links = []
    for match in re.finditer(r"\](?=\()", text):
        if match.start() > 0 and text[match.start() - 1] == "\\":
            continue
        dest_start = match.end() + 1
        dest_end, whole_end = _destination_end(text, dest_start)
        label_start = _label_start(text, match.start())
        start = label_start if label_start >= 0 else match.start()
        if start > 0 and text[start - 1] == "!":
            start -= 1
        label = text[label_start + 1 : match.start()] if label_start >= 0 else ""
        links.append(Link(start, whole_end, label, text[dest_start:dest_end].strip(" \t\n")))
    return links


def link_targets(text: str) -> List[str]:
    """Every destination a renderer could turn into a link or image: inline links and images,
    reference definitions, autolinks, URLs in raw HTML attributes, and bare URLs (GFM turns
    some of these into links)."""
    targets = [link.destination for link in inline_links(text)]
    targets += [m.group(1) for m in _DEFINITION.finditer(text)]
    targets += [m.group(1) for m in _AUTOLINK.finditer(text)]
    targets += [m.group(1).strip("\"'") for m in _HTML_URL.finditer(text)]
    rest = _AUTOLINK.sub(" ", _DEFINITION.sub(" ", text))
    for link in reversed(inline_links(rest)):
        rest = rest[: link.start] + " " + rest[link.end :]
    targets += [m.group(0).rstrip(_TRAILING).rstrip(")") for m in _BARE.finditer(rest)]
    return targets


def link_problems(text: str) -> List[str]:
    """Why each refused link of `text` is refused (each reason once), [] when all are fine."""
    problems: List[str] = []
    for target in link_targets(text):
        if target.lower().startswith("www."):
            target = "http://" + target
        if "@" in target and ":" not in target:  # <someone@beu.edu.az>, an e-mail autolink
            target = "mailto:" + target
        problem = url_problem(target)
        if problem and problem not in problems:
            problems.append(problem)
    return problems


def raw_html(text: str) -> List[str]:
    """Raw HTML tags, comments or declarations in markdown (the start of each, for a message).
    Allowed autolinks such as <https://beu.edu.az> are not HTML."""
    found = []
    for match in _ANGLE.finditer(text):
        autolink = _AUTOLINK.match(text, match.start())
        if not autolink:
            found.append(text[match.start() : match.start() + 20].split("\n")[0])
    return found


def _without_bad_inline_links(text: str) -> str:
    for _ in range(20):  # a label may hold another link: repeat until none is refused
        bad = [link for link in inline_links(text) if not is_allowed(link.destination)]
        if not bad:
            return text
        link = bad[-1]
        text = text[: link.start] + link.label + text[link.end :]
    return text.replace("](", "]\\(")  # pathological nesting: no inline link at all


def _escape_angles(text: str) -> str:
    """Keep allowed autolinks; every other `<` that could start a tag or autolink as `&lt;`."""
    out: List[str] = []
    index = 0
    for match in _ANGLE.finditer(text):
        if match.start() < index:
            continue
        autolink = _AUTOLINK.match(text, match.start())
        if autolink:
            target = autolink.group(1)
            target = target if ":" in target else "mailto:" + target
            if is_allowed(target):
                out.append(text[index : autolink.end()])
                index = autolink.end()
                continue
        out.append(text[index : match.start()] + "&lt;")
        index = match.start() + 1
    out.append(text[index:])
    return "".join(out)


def neutralise(markdown: str) -> str:
    """The markdown with every refused link shown as plain text and raw HTML escaped; allowed
    links are kept as they are. Applied to every answer just before a channel shows it."""
    text = _without_bad_inline_links(markdown)
    text = _DEFINITION.sub(lambda m: m.group(0) if is_allowed(m.group(1)) else "", text)
    return _escape_angles(text)


def has_refused_link(markdown: str) -> bool:
    """True when a renderer could produce a link this module refuses (used by tests)."""
    return any(not is_allowed(t) for t in _rendered_targets(markdown))


def _rendered_targets(markdown: str) -> List[str]:
    targets = [link.destination for link in inline_links(markdown)]
    targets += [m.group(1) for m in _DEFINITION.finditer(markdown)]
    for match in _AUTOLINK.finditer(markdown):
        target = match.group(1)
        targets.append(target if ":" in target else "mailto:" + target)
    return targets


_ECHO_KEEP = re.compile(r"[^\w\s'’.,&\-]|_")


def echo(text: str | None, limit: int = 60) -> str:
    """Text the student typed, safe to quote inside an answer's markdown: letters, digits,
    spaces and `' . , & -` only (no link, image, HTML or emphasis syntax), no domain name a
    renderer could turn into a link ("evil.com" becomes "evil. com"), at most `limit`
    characters. Empty when nothing is left."""
    cleaned = _ECHO_KEEP.sub("", unicodedata.normalize("NFKC", text or ""))
    cleaned = re.sub(r"\.(?=\S)", ". ", cleaned)
    cleaned = " ".join(cleaned.split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"
