"""The analytics filters (period, dates, channel, language) read from a query string.

One parser for the page, the JSON API and the CSV, so they agree on what a period means: days
are Baku days (Asia/Baku), a period of N days ends today and includes it, and a date range
includes both ends. A bad value is a ValidationError keyed by the parameter it came from.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from bot.i18n.context import SUPPORTED_LANGUAGES
from bot.staff_db.validation import ValidationError

BAKU = ZoneInfo("Asia/Baku")
PERIODS = {"7d": 7, "30d": 30}
RANGE = "range"
DEFAULT_PERIOD = "30d"
MAX_RANGE_DAYS = 3 * 366  # a longer range is surely a typo in the year
_CHANNEL = re.compile(r"^[a-z][a-z0-9_.-]{0,31}$")


@dataclass(frozen=True)
class AnalyticsQuery:
    """What the staff member asked to see; `start`..`end` inclusive, in Baku days."""

    period: str
    start: dt.date
    end: dt.date
    channel: str | None = None
    language: str | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def params(self) -> dict[str, str]:
        """The query string that asks for this again (links to the CSV and the API)."""
        params = {"period": self.period}
        if self.period == RANGE:
            params.update(start=self.start.isoformat(), end=self.end.isoformat())
        if self.channel:
            params["channel"] = self.channel
        if self.language:
            params["language"] = self.language
        return params

    def query_string(self) -> str:
        return urlencode(self.params())

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "channel": self.channel,
            "language": self.language,
            "timezone": "Asia/Baku",
        }


def baku_today() -> dt.date:
    return dt.datetime.now(BAKU).date()


def _first(args: Mapping[str, Any], name: str) -> str:
    value = args.get(name)
    if isinstance(value, list):  # Sanic's RequestParameters.get gives the first; a dict gives all
        value = value[0] if value else ""
    return str(value or "").strip()


def _date(text: str, name: str, errors: dict[str, str]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors[name] = f"{text!r} is not a date: use YYYY-MM-DD, for example 2026-12-01"
        return None


def parse_query(args: Mapping[str, Any], today: dt.date | None = None) -> AnalyticsQuery:
    """The filters in `args` (a request's query); ValidationError lists every bad one."""
    today = today or baku_today()
    errors: dict[str, str] = {}
    start_text, end_text = _first(args, "start"), _first(args, "end")
    period = _first(args, "period") or (RANGE if start_text or end_text else DEFAULT_PERIOD)
    start = end = None
    if period in PERIODS:
        end = today
        start = today - dt.timedelta(days=PERIODS[period] - 1)
    elif period == RANGE:
        if not start_text:
            errors["start"] = "give the first day of the range (YYYY-MM-DD)"
        else:
            start = _date(start_text, "start", errors)
        if not end_text:
            errors["end"] = "give the last day of the range (YYYY-MM-DD)"
        else:
            end = _date(end_text, "end", errors)
        if start and end:
            if end < start:
                errors["end"] = f"the range ends ({end}) before it starts ({start})"
            elif (end - start).days + 1 > MAX_RANGE_DAYS:
                errors["end"] = f"a range may cover at most {MAX_RANGE_DAYS} days"
    else:
        errors["period"] = f"unknown period {period!r}: use 7d, 30d or range (with start and end)"

    channel = _first(args, "channel").lower() or None
    if channel and not _CHANNEL.match(channel):
        errors["channel"] = f"{channel!r} is not a channel name (letters, digits, _ . -)"
    language = _first(args, "language").lower() or None
    if language and language not in SUPPORTED_LANGUAGES:
        errors["language"] = (
            f"unknown language {language!r}: use one of {', '.join(SUPPORTED_LANGUAGES)}"
        )
    if errors:
        raise ValidationError(errors)
    assert start is not None and end is not None
    return AnalyticsQuery(period, start, end, channel, language)
