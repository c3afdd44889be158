"""Static SVG charts written at build time: they work with JavaScript off, from file://, in print
and in dark mode (colours come from the stylesheet's variables). Every chart comes with its
numbers as a table for screen readers.

The map places every paper by textual similarity: TF-IDF, reduced with scikit-learn's
TruncatedSVD (LSA). Topic centres are laid out with MDS on their cosine distances, and each
paper sits between the centres it is most similar to, pulled towards its own LSA position,
so clusters stay visible at 10,000 papers. Everything is seeded: the same content gives the
same SVG, byte for byte.
"""
from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass
from xml.sax.saxutils import escape

from generator.site import Site

MAP_SIZE = 800
PALETTE_SIZE = 16  # CSS classes c0..c15 give each topic a colour that works in both themes


@dataclass
class Bar:
    label: str
    value: int
    link: str | None = None  # site path


def bar_chart(title: str, bars: list[Bar], url, chart_id: str, width: int = 640) -> str:
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
    return "".join(parts)


def data_table(caption: str, header: tuple[str, str], bars: list[Bar]) -> str:
    rows = "".join(f"<tr><th scope=\"row\">{escape(b.label)}</th><td>{b.value}</td></tr>" for b in bars)
    return (f'<table class="chart-data"><caption>{escape(caption)}</caption><thead><tr><th scope="col">'
            f"{escape(header[0])}</th><th scope=\"col\">{escape(header[1])}</th></tr></thead><tbody>{rows}</tbody></table>")


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def topic_bars(site: Site) -> list[Bar]:
    return [Bar(t.title, site.topic_counts.get(t.slug, 0), f"topics/{t.slug}.html") for t in site.config.topics]


def tag_bars(site: Site, limit: int = 20, papers=None) -> list[Bar]:
    counts = site.tag_counts if papers is None else Counter(t for p in papers for t in p.tags)
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [Bar(tag, n, f"tags/{tag}.html") for tag, n in top]


def added_bars(site: Site) -> list[Bar]:
    """Papers added per month, for every month from the first to the last addition."""
    months = Counter((p.added.year, p.added.month) for p in site.papers if p.added)
    if not months:
        return []
    (y, m), last = min(months), max(months)
    bars = []
    while (y, m) <= last:
        bars.append(Bar(dt.date(y, m, 1).strftime("%b %Y"), months.get((y, m), 0)))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return bars


def column_chart(title: str, bars: list[Bar], chart_id: str, width: int = 640, height: int = 200) -> str:
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
    return "".join(parts)


# -- the map ---------------------------------------------------------------------------------

@dataclass
class MapPoint:
    slug: str
    title: str
    x: float
    y: float
    colour: int  # index into the palette; -1 for papers without a topic


def map_points(site: Site) -> list[MapPoint]:
    import numpy as np
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    from generator.related import fit_tfidf, paper_text

    papers = sorted(site.papers, key=lambda p: p.slug)
    if len(papers) < 3:
        return [MapPoint(p.slug, p.title, MAP_SIZE / 2, MAP_SIZE / 2, 0) for p in papers]
    _, matrix = fit_tfidf([paper_text(p) for p in papers], stop_words="english", sublinear_tf=True,
                          max_df=0.5, min_df=1 if len(papers) < 1000 else 2, dtype=np.float32)
    if matrix is None or matrix.shape[1] < 3:
        return [MapPoint(p.slug, p.title, MAP_SIZE / 2, MAP_SIZE / 2, 0) for p in papers]
    dims = min(50, matrix.shape[1] - 1, len(papers) - 1)
    lsa = normalize(TruncatedSVD(n_components=dims, random_state=0, algorithm="randomized",
                                 n_iter=5).fit_transform(matrix))
    groups = _groups(site, papers)
    labels = sorted(groups)
    centres = normalize(np.vstack([lsa[groups[g]].mean(axis=0) for g in labels]))
    if len(labels) >= 3:
        distance = np.clip(1 - centres @ centres.T, 0, 2)
        anchors = _mds(distance)
    else:
        anchors = np.array([[math.cos(i * math.pi), math.sin(i * math.pi)] for i in range(len(labels))])
    anchors = anchors / (np.abs(anchors).max() or 1)
    similarity = lsa @ centres.T  # how close each paper reads to each topic centre
    weights = np.exp(8 * (similarity - similarity.max(axis=1, keepdims=True)))
    weights /= weights.sum(axis=1, keepdims=True)
    placed = weights @ anchors
    # Inside its cluster, a paper sits where its own text differs from the cluster's average
    # (the cluster's two main directions, PCA), in a disc sized by the cluster: at 10,000 papers
    # the clusters stay apart and their papers do not pile onto one spot.
    local = np.zeros((len(papers), 2))
    radius = np.zeros(len(papers))
    largest = max(len(members) for members in groups.values())
    for label in labels:
        members = np.array(groups[label])
        local[members] = _spread(lsa[members])
        radius[members] = 0.28 * math.sqrt(len(members) / largest)
    xy = placed + radius[:, None] * local
    xy = (xy - xy.min(axis=0)) / np.maximum(xy.max(axis=0) - xy.min(axis=0), 1e-9)
    colour_of = {slug: i % PALETTE_SIZE for i, slug in enumerate(t.slug for t in site.config.topics)}
    points = []
    for i, paper in enumerate(papers):
        topic = paper.topics[0] if paper.topics else None
        points.append(MapPoint(paper.slug, paper.title, round(20 + xy[i, 0] * (MAP_SIZE - 40), 1),
                               round(20 + xy[i, 1] * (MAP_SIZE - 40), 1), colour_of.get(topic, -1)))
    return points


def _spread(vectors):
    """Positions in the unit disc from a group's two principal directions (deterministic SVD)."""
    import numpy as np

    if len(vectors) < 3:
        return np.zeros((len(vectors), 2))
    centred = vectors - vectors.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    points = centred @ vt[:2].T
    points *= np.sign(vt[:2].sum(axis=1))  # SVD signs are arbitrary; fix them for byte-identical maps
    scale = np.linalg.norm(points, axis=1).max()
    return points / scale if scale > 0 else points


def _mds(distance):
    """2-D positions for the topic centres; classical MDS start, so it is deterministic."""
    import inspect

    from sklearn.manifold import MDS

    options = {"n_components": 2, "random_state": 0, "n_init": 1}
    if "metric_mds" in inspect.signature(MDS).parameters:  # scikit-learn >= 1.8
        options.update(metric="precomputed", init="classical_mds")
    else:
        options.update(dissimilarity="precomputed", n_init=4)
    return MDS(**options).fit_transform(distance)


def _groups(site: Site, papers) -> dict[str, list[int]]:
    """Papers grouped by their first topic, or by k-means clusters when there is no taxonomy."""
    groups: dict[str, list[int]] = {}
    for i, paper in enumerate(papers):
        if paper.topics:
            groups.setdefault(paper.topics[0], []).append(i)
    if len(groups) >= 2:
        return groups
    from sklearn.cluster import KMeans

    from generator.related import fit_tfidf, paper_text

    _, matrix = fit_tfidf([paper_text(p) for p in papers], stop_words="english")
    k = min(8, len(papers))
    labels = KMeans(n_clusters=k, n_init=4, random_state=0).fit_predict(matrix)
    return {f"cluster-{c}": [i for i, label in enumerate(labels) if label == c] for c in range(k)}


def map_svg(points: list[MapPoint], url, highlight: set[str] | None = None, chart_id: str = "map",
            size: int = MAP_SIZE, title: str = "Map of the papers by textual similarity") -> str:
    """Every paper a dot; each dot a link whose title shows on hover and keyboard focus."""
    radius = 4 if len(points) <= 1000 else 2.5
    parts = [f'<svg class="map" viewBox="0 0 {MAP_SIZE} {MAP_SIZE}" width="{size}" role="group" '
             f'aria-labelledby="{chart_id}-t" xmlns="http://www.w3.org/2000/svg">'
             f'<title id="{chart_id}-t">{escape(title)}</title>']
    dim = highlight is not None
    for p in points:
        faded = dim and p.slug not in highlight
        cls = "dot faded" if faded else f"dot c{p.colour}" if p.colour >= 0 else "dot"
        if faded:  # context only: not a link, so the keyboard visits the highlighted papers alone
            parts.append(f'<circle class="{cls}" cx="{p.x}" cy="{p.y}" r="{radius}"/>')
            continue
        parts.append(f'<a href="{escape(url("papers/" + p.slug + ".html"))}"><title>{escape(_short(p.title, 100))}'
                     f'</title><circle class="{cls}" cx="{p.x}" cy="{p.y}" r="{radius}"/></a>')
    parts.append("</svg>")
    return "".join(parts)
