"""Per-client-address request limits at the front door: nginx `limit_req` for the scaled profile
and deploy/nginx.conf (bot/ops/services/nginx.py), the same figures as ingress-nginx
annotations in deploy/k8s/ingress.yaml.

One limit per kind of traffic, each `<rate> burst=<n>` (nginx's own syntax, `r/s` or `r/m`),
set from the environment (FRONT_LIMIT_WIDGET, ..._PAGE, ..._REST, ..._MESSENGER, ..._LOGIN) or
`off`. Past a burst, nginx answers 429 with a one-line body and Retry-After; a request within
the rate is never delayed (`nodelay`). Why these defaults: docs/security.md#rate-limits.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields

LIMIT = re.compile(r"^\s*(?P<count>[1-9]\d*)r/(?P<unit>[sm])\s+burst=(?P<burst>\d+)\s*$")
OFF = "off"
ENV_PREFIX = "FRONT_LIMIT_"
TOO_MANY_BODY = "Too many requests from your address: wait a moment, then try again."


@dataclass(frozen=True)
class Limit:
    """`count` requests per `unit` (s or m) on average, `burst` more at once."""

    count: int
    unit: str
    burst: int

    @classmethod
    def parse(cls, text: str, name: str = "limit") -> Limit | None:
        """`10r/s burst=20` -> Limit; `off` -> None; anything else: ValueError naming `name`."""
        if text.strip().lower() == OFF:
            return None
        found = LIMIT.match(text)
        if not found:
            raise ValueError(
                f"{name}={text!r}: expected '<n>r/s burst=<n>', '<n>r/m burst=<n>' or 'off'"
            )
        return cls(int(found["count"]), found["unit"], int(found["burst"]))

    @property
    def rate(self) -> str:
        return f"{self.count}r/{self.unit}"

    @property
    def retry_after_seconds(self) -> int:
        """How long until one more request fits: what a refused client is told to wait."""
        return max(1, math.ceil((60 if self.unit == "m" else 1) / self.count))

    def __str__(self) -> str:
        return f"{self.rate} burst={self.burst}"


@dataclass(frozen=True)
class FrontLimits:
    """Each kind of traffic, limited per client address (None: not limited)."""

    # socket.io of the widget: long-polls (one held request, a POST per message) or a
    # websocket. Generous: a campus network may put hundreds of students behind one address.
    widget: Limit | None = Limit(20, "s", 100)
    # The web app: the demo page and its assets, /health, the staff admin's pages and API.
    page: Limit | None = Limit(10, "s", 50)
    # The REST channel: every message costs a Rasa prediction (~50 ms of CPU).
    rest: Limit | None = Limit(5, "s", 20)
    # Facebook delivers every student's messages from a handful of addresses: a per-address
    # limit must not starve them, so only a flood far above any real delivery rate is cut.
    # Forged deliveries are refused by their signature (403) anyway.
    messenger: Limit | None = Limit(50, "s", 200)
    # POSTs to the staff login (HTML and JSON): each costs a bcrypt check (~0.25 s of CPU).
    login: Limit | None = Limit(10, "m", 10)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> FrontLimits:
        environ = os.environ if environ is None else environ
        values = {}
        for item in fields(cls):
            name = ENV_PREFIX + item.name.upper()
            if environ.get(name, "").strip():
                values[item.name] = Limit.parse(environ[name], name)
        return cls(**values)

    def zones(self) -> str:
        """The http-level lines: one shared-memory zone per limit, keyed by client address.

        A key that is empty is not counted: the login zone counts POSTs only, the REST and
        Messenger zones split the /webhooks/ location between them."""
        lines = [
            "map $request_method:$uri $login_limit_key {",
            "    ~^POST:/admin/(api/)?login/?$ $binary_remote_addr;",
            '    default "";',
            "}",
            "map $uri $messenger_limit_key {",
            "    ~^/webhooks/messenger/ $binary_remote_addr;",
            '    default "";',
            "}",
            "map $uri $rest_limit_key {",
            '    ~^/webhooks/messenger/ "";',
            "    default $binary_remote_addr;",
            "}",
        ]
        keys = {
            "widget": "$binary_remote_addr",
            "page": "$binary_remote_addr",
            "rest": "$rest_limit_key",
            "messenger": "$messenger_limit_key",
            "login": "$login_limit_key",
        }
        for item in fields(self):
            limit = getattr(self, item.name)
            if limit is not None:
                lines.append(
                    f"limit_req_zone {keys[item.name]} zone={item.name}:10m rate={limit.rate};"
                )
        login = self.login.retry_after_seconds if self.login else 1
        lines += [
            "map $login_limit_key $limit_retry_after {",
            '    "" 1;',
            f"    default {login};",
            "}",
            "limit_req_status 429;",
            "limit_req_log_level warn;",
        ]
        return "\n".join(lines)

    def apply(self, *names: str) -> str:
        """The `limit_req` lines of a location that serves the given kinds of traffic."""
        return "\n".join(
            f"limit_req zone={name} burst={limit.burst} nodelay;"
            for name in names
            if (limit := getattr(self, name)) is not None
        )
