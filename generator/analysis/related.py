"""Related papers: the nearest neighbours of each paper by TF-IDF over title and abstract.

scikit-learn makes the TF-IDF matrix; scipy's sparse products and numpy's argpartition find
the nearest rows a chunk at a time, so memory grows with chunk * n, never n * n. `RelatedIndex` keeps the
fitted model so that `litsite serve` can re-rank one edited paper without refitting.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from generator.analysis.text import fit_tfidf, paper_terms
from generator.content.paper import Paper
from generator.workers import ForkedJobs, fork_workers

DEFAULT_K = 5
CHUNK = 1000  # rows per sparse product: 1,000 x 50,000 floats is 200 MB at most
PARALLEL_FROM = 5000  # papers; below this, forking workers costs more than it saves
# From here on, neighbours are searched among nearby clusters only (sub-quadratic): exact
# all-pairs ranking grows with n * n and took 30 s of a 50,000-paper build; the cluster search
# takes 14 s there and finds 99.8-100% of the exact top 5 of 500 sampled papers (synthetic
# collection, 10,000 and 50,000 papers), 95% on the 273 seed papers forced onto this path.
CLUSTERED_FROM = 20_000
PROBES = 6  # clusters each paper searches: its own and the five next nearest


class RelatedIndex:
    def __init__(self, papers: list[Paper], k: int = DEFAULT_K,
                 document: Callable[[Paper], list[str]] = paper_terms):
        """`document`: a paper's terms (analysis/text.py), the words of paper_text by default."""
        import numpy as np

        self.k = k
        self.slugs = [p.slug for p in papers]
        self.vectorizer: Any = None  # scikit-learn and scipy objects (untyped)
        self.matrix: Any = None
        self._columns: Any = None
        if len(papers) >= 2:
            self.vectorizer, self.matrix = fit_tfidf(papers, analyzer=document,
                                                     sublinear_tf=True, max_df=0.5,
                                                     min_df=1 if len(papers) < 1000 else 2, dtype=np.float32)

    def all_neighbours(self, parallel: bool = False) -> dict[str, list[str]]:
        """slug -> slugs of the k most similar other papers, most similar first.

        Exact neighbours cost a product of every row with every other (n x n multiply-adds, in
        chunks): at 50,000 papers that is the longest step of a build, so with `parallel` the
        chunks are shared out to one forked worker per core."""
        if self.matrix is None:
            return {slug: [] for slug in self.slugs}
        if len(self.slugs) >= CLUSTERED_FROM:
            return self._rank_by_clusters()
        workers = fork_workers(parallel, len(self.slugs), PARALLEL_FROM, cap=4)
        if not workers:
            return self._rank(self.matrix)
        self._columns = self._columns if self._columns is not None else self.matrix.T.tocsr()  # once, shared
        out: dict[str, list[str]] = {}
        bounds = [(i, min(i + CHUNK, len(self.slugs))) for i in range(0, len(self.slugs), CHUNK)]
        with ForkedJobs(_rank_rows, self, bounds, workers) as jobs:
            for part in jobs.results():
                out.update(part)
        return {slug: out[slug] for slug in self.slugs}

    def _rank_by_clusters(self) -> dict[str, list[str]]:
        """Approximate top-k: k-means puts the papers into about sqrt(n) clusters; each paper is
        compared, exactly, with the members of its PROBES nearest clusters only. Work grows
        with PROBES * n * sqrt(n) instead of n * n."""
        import numpy as np
        from sklearn.cluster import MiniBatchKMeans
        from sklearn.preprocessing import normalize

        matrix, n = self.matrix.tocsr(), len(self.slugs)
        count = max(8, int(np.sqrt(n)))
        kmeans = MiniBatchKMeans(n_clusters=count, random_state=0, batch_size=2048, n_init=1, max_iter=20)
        centres = normalize(kmeans.fit(matrix).cluster_centers_).astype(np.float32)
        closeness = matrix @ centres.T
        home = closeness.argmax(axis=1)
        probes = np.argpartition(-closeness, min(PROBES, count) - 1, axis=1)[:, :PROBES]
        rows, ids, scores = [], [], []
        for cluster in range(count):
            members = np.flatnonzero(home == cluster)
            askers = np.flatnonzero((probes == cluster).any(axis=1))
            if len(members) == 0 or len(askers) == 0:
                continue
            block = (matrix[askers] @ matrix[members].T).toarray()
            block[askers[:, None] == members[None, :]] = 0  # a paper is not its own neighbour
            k = min(self.k, len(members))
            top = np.argpartition(-block, k - 1, axis=1)[:, :k]
            rows.append(np.repeat(askers, k))
            ids.append(members[top].ravel())
            scores.append(np.take_along_axis(block, top, axis=1).ravel())
        return self._best_per_row(np.concatenate(rows), np.concatenate(ids), np.concatenate(scores))

    def _best_per_row(self, rows, ids, scores) -> dict[str, list[str]]:
        """The k best (row, id, score) candidates of each row, ties broken by slug as in _rank."""
        import numpy as np

        order = np.lexsort((-scores, rows))
        rows, ids, scores = rows[order], ids[order], scores[order]
        starts = np.searchsorted(rows, np.arange(len(self.slugs) + 1))
        out = {}
        for i, slug in enumerate(self.slugs):
            a, b = starts[i], starts[i + 1]
            ranked = sorted((-round(float(s), 6), self.slugs[j]) for s, j in zip(scores[a:b], ids[a:b], strict=True) if s > 0)
            out[slug] = [other for _, other in ranked[: self.k]]
        return out

    def neighbours_among(self, slugs: list[str]) -> dict[str, list[str]]:
        """all_neighbours(), for some of the fitted papers only (cheaper when they are few)."""
        if self.matrix is None or len(self.slugs) >= CLUSTERED_FROM:
            everyone = self.all_neighbours()
            return {slug: everyone[slug] for slug in slugs}
        row_of = {slug: i for i, slug in enumerate(self.slugs)}
        known = [slug for slug in slugs if slug in row_of]
        return self._rank(self.matrix[[row_of[slug] for slug in known]], known) if known else {}

    def neighbours_of(self, papers: list[Paper]) -> dict[str, list[str]]:
        """Neighbours for a few (edited) papers against the fitted collection, vocabulary unchanged."""
        if self.matrix is None or not papers:
            return {p.slug: [] for p in papers}
        rows = self.vectorizer.transform(papers)
        ranked = self._rank(rows, [p.slug for p in papers])
        return ranked

    def _rank(self, rows, slugs: list[str] | None = None) -> dict[str, list[str]]:
        """Top-k cosine neighbours: sparse products a chunk of rows at a time (scipy), then
        numpy's argpartition. Memory stays at chunk x n; it is ~3x faster at 10,000 papers
        than NearestNeighbors' brute force, which computes the same products."""
        import numpy as np

        slugs = slugs or self.slugs
        if self._columns is None:  # kept: `serve` ranks one edited paper at a time against it
            self._columns = self.matrix.T.tocsr()
        columns = self._columns
        k = min(self.k + 1, len(self.slugs))
        out = {}
        for start in range(0, rows.shape[0], CHUNK):
            scores = (rows[start:start + CHUNK] @ columns).toarray()
            top = np.argpartition(-scores, k - 1, axis=1)[:, :k] if k < scores.shape[1] else \
                np.tile(np.arange(scores.shape[1]), (scores.shape[0], 1))
            for offset, candidates in enumerate(top):
                slug = slugs[start + offset]
                # Ties are broken by slug so that two builds of the same content agree.
                ranked = sorted((-round(float(scores[offset, j]), 6), self.slugs[j]) for j in candidates
                                if self.slugs[j] != slug and scores[offset, j] > 0)
                out[slug] = [other for _, other in ranked[: self.k]]
        return out


def _rank_rows(index: RelatedIndex, bounds: tuple[int, int]) -> dict[str, list[str]]:
    return index._rank(index.matrix[bounds[0]:bounds[1]], index.slugs[bounds[0]:bounds[1]])


def related_papers(papers: list[Paper], k: int = DEFAULT_K) -> dict[str, list[str]]:
    return RelatedIndex(papers, k).all_neighbours()
