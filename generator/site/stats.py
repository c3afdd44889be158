"""Counts the overview and topic pages chart, as plain data (render/charts.py draws them)."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from generator.content.paper import Paper
from generator.site import urls
from generator.site.model import Site, tag_name


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    link: str | None = None  # site path


def topic_bars(site: Site) -> tuple[Bar, ...]:
    return tuple(Bar(t.title, site.topic_counts.get(t.slug, 0), urls.topic(t.slug)) for t in site.config.topics)


def tag_bars(site: Site, limit: int = 20, papers: list[Paper] | None = None) -> tuple[Bar, ...]:
    counts = site.tag_counts if papers is None else Counter(t for p in papers for t in p.tags)
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return tuple(Bar(tag_name(site.config, tag), n, urls.tag(tag)) for tag, n in top)


MONTHS_SHOWN = 24  # beyond two years of additions, a bar per year (a row per month would be a wall)


def added_bars(site: Site) -> tuple[str, tuple[Bar, ...]]:
    """('month', papers added per month from the first addition to the last), or ('year', ...)
    past MONTHS_SHOWN."""
    dates = [p.added for p in site.papers if p.added]
    if not dates:
        return "month", ()
    first, last = min(dates), max(dates)
    if (last.year - first.year) * 12 + last.month - first.month >= MONTHS_SHOWN:
        years = Counter(d.year for d in dates)
        return "year", tuple(Bar(str(y), years.get(y, 0)) for y in range(first.year, last.year + 1))
    months = Counter((d.year, d.month) for d in dates)
    (y, m), end = (first.year, first.month), (last.year, last.month)
    bars = []
    while (y, m) <= end:
        bars.append(Bar(dt.date(y, m, 1).strftime("%b %Y"), months.get((y, m), 0)))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return "month", tuple(bars)
