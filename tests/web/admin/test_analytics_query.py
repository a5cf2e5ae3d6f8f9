"""The analytics filters: what a period means in Baku days, and every bad value located."""

from __future__ import annotations

import datetime as dt
import re
from xml.etree import ElementTree

import pytest

from bot.staff_db.validation import ValidationError
from bot.web.admin import charts
from bot.web.admin.analytics_query import parse_query

TODAY = dt.date(2026, 12, 6)


def refused(args: dict) -> dict:
    with pytest.raises(ValidationError) as caught:
        parse_query(args, TODAY)
    return caught.value.errors


def test_periods_end_today_and_include_it():
    week = parse_query({"period": "7d"}, TODAY)
    assert (week.start, week.end, week.days) == (dt.date(2026, 11, 30), TODAY, 7)
    month = parse_query({}, TODAY)  # the default
    assert (month.period, month.start, month.days) == ("30d", dt.date(2026, 11, 7), 30)
    # a period ignores dates left in the form from an earlier range
    assert parse_query({"period": "7d", "start": "2020-01-01", "end": "x"}, TODAY) == week


def test_a_range_includes_both_days_and_round_trips_through_its_query_string():
    query = parse_query(
        {"start": "2026-11-01", "end": "2026-11-01", "channel": "REST", "language": "ru"}, TODAY
    )
    assert (query.period, query.days, query.channel, query.language) == ("range", 1, "rest", "ru")
    assert query.query_string() == (
        "period=range&start=2026-11-01&end=2026-11-01&channel=rest&language=ru"
    )
    assert query.to_dict()["timezone"] == "Asia/Baku"


@pytest.mark.parametrize(
    ("args", "field", "words"),
    [
        ({"period": "90d"}, "period", "unknown period '90d'"),
        ({"period": "range", "end": "2026-11-02"}, "start", "give the first day"),
        ({"start": "2026-11-31", "end": "2026-12-01"}, "start", "'2026-11-31' is not a date"),
        ({"start": "01/11/2026", "end": "2026-12-01"}, "start", "use YYYY-MM-DD"),
        ({"start": "2026-12-02", "end": "2026-12-01"}, "end", "ends (2026-12-01) before"),
        ({"start": "2016-01-01", "end": "2026-12-01"}, "end", "at most"),
        ({"language": "fr"}, "language", "use one of en, az, ru, tr"),
        ({"channel": "<script>"}, "channel", "not a channel name"),
    ],
)
def test_a_bad_filter_is_refused_with_its_field_named(args, field, words):
    errors = refused(args)
    assert field in errors and words in errors[field], errors


def test_every_bad_filter_is_reported_at_once():
    assert set(refused({"start": "soon", "end": "later", "language": "xx"})) == {
        "start",
        "end",
        "language",
    }


def _parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg.split("<ul", 1)[0])  # the legend is HTML, after the SVG


def test_charts_are_named_svg_without_inline_style_and_escape_labels():
    series = [charts.Series("up", [3, 1]), charts.Series("down", [1, 0])]
    svg = str(charts.horizontal_bars("Feedback <b>", ["<script>x</script>", "gym"], series))
    root = _parse(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("role") == "img"
    title = root.find(f"{ns}title")
    assert title is not None and title.text == "Feedback <b>"
    assert root.get("aria-labelledby") == title.get("id")
    assert "style=" not in svg and "<script>" not in svg  # CSP: style-src 'self'; escaped text
    bars = root.findall(f"{ns}rect")
    assert len(bars) == 3, "a zero value draws no bar"
    widths = [float(b.get("width")) for b in bars]
    assert widths[0] == pytest.approx(3 * widths[1]), "bars are proportional to the values"
    assert 'class="chart-legend"' in svg


def test_columns_chart_draws_one_column_per_nonzero_value_and_empty_says_so():
    svg = str(charts.columns("Hours", [f"{h:02d}" for h in range(24)], [0] * 23 + [5], every=3))
    root = _parse(svg)
    assert len(root.findall("{http://www.w3.org/2000/svg}rect")) == 1
    assert len(re.findall(r'class="chart-label"', svg)) == 8  # every third hour labelled
    nothing = str(charts.columns("Hours", ["00"], [0]))
    assert "No data" in nothing and "no data for this period" in nothing
