"""How the tests post to the Messenger webhook as Facebook does: signed with the app secret."""

from __future__ import annotations

import hashlib
import hmac
import urllib.error
import urllib.request

from tests.conftest import MESSENGER


def messenger_url(servers) -> str:
    return f"http://127.0.0.1:{servers.rasa_port}/webhooks/messenger/webhook"


def signature(body: bytes) -> str:
    digest = hmac.new(MESSENGER["FACEBOOK_APP_SECRET"].encode(), body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def post_raw(url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(
        url, body, {"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status, reply.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def messenger_post(servers, body: bytes, signed: str | None = "sign") -> tuple[int, str]:
    """POST `body` to the webhook; `signed`: "sign" (a valid signature), None (no header) or
    the header value to send."""
    headers = {}
    if signed == "sign":
        signed = signature(body)
    if signed:
        headers["X-Hub-Signature-256"] = signed
    return post_raw(messenger_url(servers), body, headers)
