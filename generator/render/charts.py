"""Static SVG charts drawn from plain data at build time: they work with JavaScript off, from
file://, in print and in dark mode (colours come from the stylesheet's variables). Every chart
comes with its numbers as a table for screen readers. Templates call these functions; the
data comes from site/stats.py and analysis/maplayout.py.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape

from markupsafe import Markup

from generator.analysis.maplayout import MAP_SIZE, MapPoint
from generator.site import urls
from generator.site.stats import Bar

Url = Callable[[str], str]


def bar_chart(title: str, bars: Sequence[Bar], url: Url, chart_id: str, width: int = 640) -> Markup:
    """A horizontal bar chart; each bar (and its label) is a link when it has one."""
    row, label_width = 26, 280
    height = row * len(bars) + 10
    peak = max((b.value for b in bars), default=1) or 1
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="group" aria-labelledby="{chart_id}-t" '
             f'xmlns="http://www.w3.org/2000/svg"><title id="{chart_id}-t">{escape(title)}</title>']
    for i, bar in enumerate(bars):
        y = 5 + i * row
        length = max(2, round((width - label_width - 60) * bar.value / peak))
        inner = (f'<text class="label" x="{label_width - 8}" y="{y + 17}" text-anchor="end">{escape(_short(bar.label, 36))}</text>'
                 f'<rect class="bar" x="{label_width}" y="{y + 4}" width="{length}" height="{row - 8}" rx="3"/>'
                 f'<text class="value" x="{label_width + length + 6}" y="{y + 17}">{bar.value}</text>')
        if bar.link:
            parts.append(f'<a href="{escape(url(bar.link))}"><title>{escape(bar.label)}: {bar.value}</title>{inner}</a>')
        else:
            parts.append(f"<g><title>{escape(bar.label)}: {bar.value}</title>{inner}</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


def data_table(caption: str, header: tuple[str, str], bars: Sequence[Bar]) -> Markup:
    rows = "".join(f"<tr><th scope=\"row\">{escape(b.label)}</th><td>{b.value}</td></tr>" for b in bars)
    return Markup(f'<table class="chart-data"><caption>{escape(caption)}</caption><thead><tr><th scope="col">'
                  f"{escape(header[0])}</th><th scope=\"col\">{escape(header[1])}</th></tr></thead><tbody>{rows}"
                  "</tbody></table>")


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def column_chart(title: str, bars: Sequence[Bar], chart_id: str, width: int = 640, height: int = 200) -> Markup:
    """Vertical columns for a time series; with many months the labels thin out."""
    n = max(len(bars), 1)
    peak = max((b.value for b in bars), default=1) or 1
    slot = min((width - 40) / n, 48)  # one month is a column, not a wall
    every = max(1, math.ceil(n / 12))
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height + 40}" role="img" aria-labelledby="{chart_id}-t" '
             f'xmlns="http://www.w3.org/2000/svg"><title id="{chart_id}-t">{escape(title)}</title>']
    for i, bar in enumerate(bars):
        h = round(height * bar.value / peak)
        x = 30 + i * slot
        parts.append(f'<g><title>{escape(bar.label)}: {bar.value}</title><rect class="bar" x="{x:.1f}" '
                     f'y="{height - h + 10}" width="{max(slot - 2, 1):.1f}" height="{h}"/></g>')
        if i % every == 0:
            parts.append(f'<text class="label" x="{x:.1f}" y="{height + 30}">{escape(bar.label)}</text>')
    parts.append(f'<text class="value" x="0" y="18">{peak}</text></svg>')
    return Markup("".join(parts))


def map_svg(points: Sequence[MapPoint], url: Url, highlight: set[str] | None = None, chart_id: str = "map",
            size: int = MAP_SIZE, title: str = "Map of the papers by textual similarity") -> Markup:
    """Every paper a dot; each dot a link whose title shows on hover and keyboard focus."""
    radius = 4 if len(points) <= 1000 else 2.5
    parts = [f'<svg class="map" viewBox="0 0 {MAP_SIZE} {MAP_SIZE}" width="{size}" role="group" '
             f'aria-labelledby="{chart_id}-t" xmlns="http://www.w3.org/2000/svg">'
             f'<title id="{chart_id}-t">{escape(title)}</title>']
    # Keyboard order: cluster by cluster (a paper's colour is its first topic), then top to
    # bottom and left to right within it, so Tab moves to the next paper nearby.
    ordered = sorted(points, key=lambda p: (p.colour < 0, p.colour, round(p.y / 40), p.x))
    for p in ordered:
        faded = highlight is not None and p.slug not in highlight
        cls = "dot faded" if faded else f"dot c{p.colour}" if p.colour >= 0 else "dot"
        if faded:  # context only: not a link, so the keyboard visits the highlighted papers alone
            parts.append(f'<circle class="{cls}" cx="{p.x}" cy="{p.y}" r="{radius}"/>')
            continue
        parts.append(f'<a href="{escape(url(urls.paper(p.slug)))}"><title>{escape(_short(p.title, 100))}'
                     f'</title><circle class="{cls}" cx="{p.x}" cy="{p.y}" r="{radius}"/></a>')
    parts.append("</svg>")
    return Markup("".join(parts))
