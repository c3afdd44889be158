"""The map's layout: where each paper sits, by textual similarity.

TF-IDF, reduced with scikit-learn's TruncatedSVD (LSA). Topic centres are laid out with MDS
on their cosine distances, and each paper sits between the centres it is most similar to,
pulled towards its own LSA position, so clusters stay visible at 10,000 papers. Everything
is seeded: the same content gives the same layout, byte for byte. render/charts.py draws it.
"""
from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass

from generator.analysis.text import fit_tfidf, paper_terms
from generator.content.paper import Paper

MAP_SIZE = 800
PALETTE_SIZE = 16  # CSS classes c0..c15 give each topic a colour that works in both themes


@dataclass(frozen=True)
class MapPoint:
    slug: str
    title: str
    x: float
    y: float
    colour: int  # index into the palette; -1 for papers without a topic
    group: int = -1  # its first topic's place in the taxonomy (colours repeat past PALETTE_SIZE topics)


def map_points(papers: list[Paper], topics: list[str],
               document: Callable[[Paper], list[str]] = paper_terms) -> tuple[MapPoint, ...]:
    """Where each paper goes on the map (sorted by slug); `topics` are the taxonomy's slugs,
    in order (a paper's colour is its first topic's place in it); `document`: a paper's terms."""
    import numpy as np
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize


    papers = sorted(papers, key=lambda p: p.slug)
    if len(papers) < 3:
        return tuple(MapPoint(p.slug, p.title_text, MAP_SIZE / 2, MAP_SIZE / 2, 0) for p in papers)
    _, matrix = fit_tfidf(papers, analyzer=document, sublinear_tf=True, max_df=0.5,
                          min_df=1 if len(papers) < 1000 else 2, dtype=np.float32)
    if matrix is None or matrix.shape[1] < 3:
        return tuple(MapPoint(p.slug, p.title_text, MAP_SIZE / 2, MAP_SIZE / 2, 0) for p in papers)
    dims = min(50, matrix.shape[1] - 1, len(papers) - 1)
    lsa = normalize(TruncatedSVD(n_components=dims, random_state=0, algorithm="randomized",
                                 n_iter=5).fit_transform(matrix))
    groups = _groups(papers, document)
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
    group_of = {slug: i for i, slug in enumerate(topics)}
    points = []
    for i, paper in enumerate(papers):
        group = group_of.get(paper.topics[0], -1) if paper.topics else -1
        points.append(MapPoint(paper.slug, paper.title_text, round(20 + xy[i, 0] * (MAP_SIZE - 40), 1),
                               round(20 + xy[i, 1] * (MAP_SIZE - 40), 1), group % PALETTE_SIZE if group >= 0 else -1,
                               group))
    return tuple(points)


@dataclass(frozen=True)
class ClusterLabel:
    """A topic's name on the map, among its papers; its number alone where the name has no room,
    and on a phone. A label with no free place at some width is left out there (the legend has it)."""
    number: int  # the topic's place in the legend, from 1
    colour: int
    title: str
    x: float  # where it goes on a wide screen (map units)
    y: float
    named: bool  # False: the name would cover another label, so only the number shows
    wide: bool  # False: no free place on a wide screen
    phone_x: float  # where the number goes on a phone, apart from the other numbers
    phone_y: float
    phone: bool  # False: no free place on a phone


LABEL_MIN_PAPERS = 3
# How big a label is on the map, in map units: 13 px bold text on a ~700 px wide map (a wide
# screen) and a 24 px number on a ~360 px one (a phone).
CHAR_UNITS, LINE_UNITS, BADGE_UNITS = 9.5, 30.0, 34.0
PHONE_BADGE_UNITS = 56.0
_NAME_SHIFTS = ((0, 0), (0, -1), (0, 1), (0, -2), (0, 2))  # in label sizes, tried in turn
_BADGE_SHIFTS = _NAME_SHIFTS[:3] + ((-1, 0), (1, 0), (-1, -1), (1, -1), (-1, 1), (1, 1), (-2, 0), (2, 0))
Box = tuple[float, float, float, float]


def cluster_labels(points: tuple[MapPoint, ...], titles: list[str]) -> tuple[ClusterLabel, ...]:
    """One label per topic with at least LABEL_MIN_PAPERS papers on the map, the biggest topics
    placed first, none covering another (deterministic: the same map gives the same labels)."""
    members: dict[int, list[MapPoint]] = {}
    for point in points:
        if point.group >= 0:
            members.setdefault(point.group, []).append(point)
    wide: list[Box] = []
    phone: list[Box] = []
    labels = []
    for group, dots in sorted(members.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        if len(dots) < LABEL_MIN_PAPERS or group >= len(titles):
            continue
        x, y = _median([d.x for d in dots]), _median([d.y for d in dots])
        title = titles[group]
        name = _free_place(x, y, BADGE_UNITS + CHAR_UNITS * len(title), LINE_UNITS, wide, _NAME_SHIFTS)
        box = name or _free_place(x, y, BADGE_UNITS, LINE_UNITS, wide, _BADGE_SHIFTS)
        small = _free_place(x, y, PHONE_BADGE_UNITS, PHONE_BADGE_UNITS, phone, _BADGE_SHIFTS)
        if box is None and small is None:
            continue
        wide += [box] if box else []
        phone += [small] if small else []
        at, phone_at = _centre(box or _box(x, y, 0, 0)), _centre(small or _box(x, y, 0, 0))
        labels.append(ClusterLabel(group + 1, group % PALETTE_SIZE, title, at[0], at[1], name is not None,
                                   box is not None, phone_at[0], phone_at[1], small is not None))
    return tuple(sorted(labels, key=lambda label: label.number))


def _centre(box: Box) -> tuple[float, float]:
    return round((box[0] + box[2]) / 2, 1), round((box[1] + box[3]) / 2, 1)


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _box(x: float, y: float, width: float, height: float) -> Box:
    """A box centred on (x, y), moved inside the map."""
    left = min(max(x - width / 2, 0.0), MAP_SIZE - width)
    top = min(max(y - height / 2, 0.0), MAP_SIZE - height)
    return (left, top, left + width, top + height)


def _free_place(x: float, y: float, width: float, height: float, taken: list[Box],
                shifts: tuple[tuple[int, int], ...]) -> Box | None:
    for dx, dy in shifts:
        box = _box(x + dx * width, y + dy * height, width, height)
        if not any(box[0] < o[2] and o[0] < box[2] and box[1] < o[3] and o[1] < box[3] for o in taken):
            return box
    return None


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
    from sklearn.manifold import MDS

    options: dict[str, object] = {"n_components": 2, "random_state": 0, "n_init": 1}
    if "metric_mds" in inspect.signature(MDS).parameters:  # scikit-learn >= 1.8
        options.update(metric="precomputed", init="classical_mds")
    else:
        options.update(dissimilarity="precomputed", n_init=4)
    return MDS(**options).fit_transform(distance)


def _groups(papers: list[Paper], document: Callable[[Paper], list[str]]) -> dict[str, list[int]]:
    """Papers grouped by their first topic, or by k-means clusters when there is no taxonomy."""
    groups: dict[str, list[int]] = {}
    for i, paper in enumerate(papers):
        if paper.topics:
            groups.setdefault(paper.topics[0], []).append(i)
    if len(groups) >= 2:
        return groups
    from sklearn.cluster import KMeans


    _, matrix = fit_tfidf(papers, analyzer=document)
    k = min(8, len(papers))
    labels = KMeans(n_clusters=k, n_init=4, random_state=0).fit_predict(matrix)
    return {f"cluster-{c}": [i for i, label in enumerate(labels) if label == c] for c in range(k)}
