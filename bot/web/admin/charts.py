"""Bar charts as inline SVG for the analytics page: no script, no inline style, no CDN.

Hand-written rather than matplotlib because, measured on this machine, matplotlib costs 1.3 s
to import and ~50 ms per chart and writes its colours in `style="..."` attributes, which the
admin's CSP (`style-src 'self'`) blocks in an inline SVG; these take well under a millisecond
and are coloured by classes in admin.css. Each chart is an `<svg role="img">` named by its
`<title>`; the numbers are always also in the table beside it (the charts are a picture of
the table, never the only place a figure is).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

_ids = itertools.count(1)

WIDTH = 480  # viewBox units; drawn at the page's width, so the text stays readable at 375 px
BAR_HEIGHT = 22
BAR_GAP = 8
LABEL_WIDTH = 196  # horizontal bars: the label column
LABEL_CHARS = 22  # longer labels are shortened (the table has them whole)
COLUMN_AREA_HEIGHT = 160


@dataclass(frozen=True)
class Series:
    """One named set of values, drawn in the class `series-<index>` (colours in admin.css)."""

    name: str
    values: Sequence[float]


def _short(label: str, limit: int = LABEL_CHARS) -> str:
    label = " ".join(str(label).split())
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _svg(
    title: str, width: int, height: int, body: list[str], legend: Sequence[str] = ()
) -> Markup:
    chart_id = f"chart-{next(_ids)}"
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}">{escape(title)}</title>',
        *body,
        "</svg>",
    ]
    svg = "".join(parts)
    if legend:
        items = "".join(
            f'<li><span class="swatch series-{i}" aria-hidden="true"></span>{escape(name)}</li>'
            for i, name in enumerate(legend)
        )
        svg += f'<ul class="chart-legend" aria-hidden="true">{items}</ul>'
    return Markup(svg)


def empty(title: str) -> Markup:
    """A chart of nothing: says so, at the same place."""
    x = WIDTH // 2
    body = [f'<text class="chart-empty" x="{x}" y="40" text-anchor="middle">No data</text>']
    return _svg(f"{title}: no data for this period", WIDTH, 70, body)


def horizontal_bars(title: str, labels: Sequence[str], series: Sequence[Series]) -> Markup:
    """One row per label, the series stacked left to right (one series: a plain bar chart)."""
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    if not labels or max(totals, default=0) <= 0:
        return empty(title)
    top = max(totals)
    plot = WIDTH - LABEL_WIDTH - 60
    row = BAR_HEIGHT + BAR_GAP
    height = len(labels) * row + BAR_GAP
    body: list[str] = []
    for i, label in enumerate(labels):
        y = BAR_GAP + i * row
        body.append(
            f'<text class="chart-label" x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT * 0.7:.1f}" '
            f'text-anchor="end">{escape(_short(label))}</text>'
        )
        x = float(LABEL_WIDTH)
        for index, one in enumerate(series):
            value = one.values[i]
            if value <= 0:
                continue
            width = plot * value / top
            body.append(
                f'<rect class="bar series-{index}" x="{x:.1f}" y="{y}" width="{width:.1f}" '
                f'height="{BAR_HEIGHT}"/>'
            )
            x += width
        body.append(
            f'<text class="chart-value" x="{x + 6:.1f}" y="{y + BAR_HEIGHT * 0.7:.1f}">'
            f"{_number(totals[i])}</text>"
        )
    legend = [s.name for s in series] if len(series) > 1 else []
    return _svg(title, WIDTH, height, body, legend)


def columns(title: str, labels: Sequence[str], values: Sequence[float], every: int = 0) -> Markup:
    """Vertical columns in label order (hours of a day, days of a period).

    Only every `every`-th label is written under the axis (0: as many as fit)."""
    if not labels or max(values, default=0) <= 0:
        return empty(title)
    top = max(values)
    left, bottom = 44, 28
    plot_width = WIDTH - left - 8
    slot = plot_width / len(labels)
    every = every or max(1, round(len(labels) / (plot_width / 40)))
    height = COLUMN_AREA_HEIGHT + bottom + 12
    base = 12 + COLUMN_AREA_HEIGHT
    body = [
        f'<line class="chart-axis" x1="{left}" y1="{base}" x2="{WIDTH - 8}" y2="{base}"/>',
        f'<text class="chart-value" x="{left - 6}" y="20" text-anchor="end">{_number(top)}</text>',
        f'<text class="chart-value" x="{left - 6}" y="{base}" text-anchor="end">0</text>',
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + i * slot
        bar = COLUMN_AREA_HEIGHT * value / top
        if value > 0:
            body.append(
                f'<rect class="bar series-0" x="{x + slot * 0.15:.1f}" y="{base - bar:.1f}" '
                f'width="{slot * 0.7:.1f}" height="{bar:.1f}"/>'
            )
        if i % every == 0:
            body.append(
                f'<text class="chart-label" x="{x + slot / 2:.1f}" y="{base + 18}" '
                f'text-anchor="middle">{escape(_short(label, 10))}</text>'
            )
    return _svg(title, WIDTH, height, body)
