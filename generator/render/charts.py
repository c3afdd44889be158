"""Charts drawn from plain data at build time: HTML bars and an SVG map. They work with
JavaScript off, from file://, in print and in dark mode (colours come from the stylesheet's
variables). Templates call these functions; the data comes from site/stats.py and
analysis/maplayout.py.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape

from markupsafe import Markup

from generator.analysis.maplayout import MAP_SIZE, ClusterLabel, MapPoint
from generator.site import urls
from generator.site.stats import Bar

Url = Callable[[str], str]


def bar_chart(title: str, bars: Sequence[Bar], url: Url, chart_id: str) -> Markup:
    """Horizontal bars as an HTML list: its labels are text at the page's size on every screen
    (SVG labels scaled down to ~7 px on a phone), a screen reader reads it as the list it is, and
    each row is a link (a target as tall as the row) when the bar has one."""
    peak = max((b.value for b in bars), default=1) or 1
    rows = []
    for bar in bars:
        share = f"{100 * bar.value / peak:.1f}%"  # a number: nothing from content goes into the style
        inner = (f'<span class="bar-label">{escape(bar.label)}</span><span class="bar-track" aria-hidden="true">'
                 f'<span class="bar" style="width: {share}"></span></span><span class="bar-value">{bar.value}</span>')
        if bar.link:
            rows.append(f'<li><a class="bar-row" href="{escape(url(bar.link))}">{inner}</a></li>')
        else:
            rows.append(f'<li><span class="bar-row">{inner}</span></li>')
    return Markup(f'<ol class="bar-chart" id="{chart_id}" aria-label="{escape(title, {chr(34): "&quot;"})}">'
                  + "".join(rows) + "</ol>")


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


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
        group = f' data-g="{p.group + 1}"' if p.group >= 0 else ""  # the topic filter's key (site.js)
        parts.append(f'<a href="{escape(url(urls.paper(p.slug)))}"{group}><title>{escape(_short(p.title, 100))}'
                     f'</title><circle class="{cls}" cx="{p.x}" cy="{p.y}" r="{radius}"/></a>')
    parts.append("</svg>")
    return Markup("".join(parts))


def map_labels(labels: Sequence[ClusterLabel]) -> Markup:
    """Topic names over the map, as HTML placed in percent of it: text at the page's size on any
    screen (inside the SVG it would shrink with the map). The legend says the same to a screen
    reader, so these are hidden from it."""
    items = []
    for label in labels:
        where = "; ".join(f"--{name}: {100 * value / MAP_SIZE:.2f}%" for name, value in
                          (("x", label.x), ("y", label.y), ("px", label.phone_x), ("py", label.phone_y)))
        hidden = "".join(c for c, shown in ((" unnamed", label.named), (" no-wide", label.wide),
                                             (" no-phone", label.phone)) if not shown)
        items.append(f'<li class="cluster-label{hidden}" data-g="{label.number}" style="{where}">'
                     f'<span class="n c{label.colour}">{label.number}</span>'
                     f'<span class="name">{escape(label.title)}</span></li>')
    return Markup('<ol class="map-labels" aria-hidden="true">' + "".join(items) + "</ol>")
