"""Small helpers for the admin tests: reading forms out of pages, building entries."""

from __future__ import annotations

import html
import re
from typing import Any, Dict, List

from tests.web.admin.live import PASSWORD, USERNAME, Client


def hidden(page: str, name: str) -> List[str]:
    """Values of the hidden inputs called `name`, in page order."""
    pattern = rf'<input type="hidden" name="{re.escape(name)}" value="([^"]*)">'
    return [html.unescape(v) for v in re.findall(pattern, page)]


def field_value(page: str, name: str) -> str:
    """What the form field `name` (input or textarea) shows."""
    pattern = rf'<textarea id="f-{name}" name="{name}"[^>]*>(.*?)</textarea>'
    textarea = re.search(pattern, page, re.S)
    if textarea:
        return html.unescape(textarea.group(1))
    found = re.search(rf'<input id="f-{name}" name="{name}" type="[a-z]+" value="([^"]*)"', page)
    assert found, f"no field {name}"
    return html.unescape(found.group(1))


def field_error(page: str, name: str) -> str | None:
    found = re.search(rf'<p class="field-error" id="err-{name}">(.*?)</p>', page, re.S)
    return html.unescape(found.group(1)) if found else None


def html_login(client: Client, username: str = USERNAME, password: str = PASSWORD) -> Any:
    """Log in through the login page, as a browser does; returns the POST's response."""
    form = client.get("/admin/login")
    assert form.status_code == 200
    token = hidden(form.text, "csrf_token")[0]
    reply = client.post(
        "/admin/login",
        data={"username": username, "password": password, "csrf_token": token, "next": ""},
    )
    if reply.status_code == 302:
        page = client.get("/admin/entries")
        client.csrf = hidden(page.text, "csrf_token")[0]
    return reply


def entry(question: str = "Is there a shuttle from the airport?", **fields: Any) -> Dict[str, Any]:
    values: Dict[str, Any] = {
        "question": question,
        "answer": "Yes: see the [transport page](https://beu.edu.az/en/transport).",
        "phrasings": ["airport shuttle", "how do I get from the airport to campus"],
        "tags": ["transport"],
        "owner": "International Office",
        "as_of": "2024-09-01",
        "review_by": "2025-09-01",
    }
    values.update(fields)
    return values


def form_data(values: Dict[str, Any], **extra: Any) -> Dict[str, Any]:
    """An entry as the HTML form posts it."""
    data = dict(values)
    data["phrasings"] = "\n".join(values.get("phrasings", []))
    data["tags"] = ", ".join(values.get("tags", []))
    data.update(extra)
    return data
