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


def added_bars(site: Site) -> tuple[Bar, ...]:
    """Papers added per month, for every month from the first to the last addition."""
    months = Counter((p.added.year, p.added.month) for p in site.papers if p.added)
    if not months:
        return ()
    (y, m), last = min(months), max(months)
    bars = []
    while (y, m) <= last:
        bars.append(Bar(dt.date(y, m, 1).strftime("%b %Y"), months.get((y, m), 0)))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return tuple(bars)
