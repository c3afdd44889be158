"""Related papers: the nearest neighbours of each paper by TF-IDF over title and abstract.

scikit-learn does the work: a sparse TF-IDF matrix and brute-force cosine neighbours, which
it computes in chunks, so memory grows with n * k, never n * n.
"""
from __future__ import annotations

from generator.content import Paper

DEFAULT_K = 5


def paper_text(paper: Paper) -> str:
    # The title says what the paper is about more densely than any abstract sentence.
    return f"{paper.title}. {paper.title}. {paper.abstract}"


def related_papers(papers: list[Paper], k: int = DEFAULT_K) -> dict[str, list[str]]:
    """slug -> slugs of the k most similar other papers, most similar first."""
    if len(papers) < 2:
        return {p.slug: [] for p in papers}
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.neighbors import NearestNeighbors
    import numpy as np

    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, max_df=0.5,
                                 min_df=1 if len(papers) < 1000 else 2, dtype=np.float32)
    matrix = vectorizer.fit_transform([paper_text(p) for p in papers])
    n_neighbors = min(k + 1, len(papers))
    finder = NearestNeighbors(n_neighbors=n_neighbors, metric="cosine", algorithm="brute")
    distances, indices = finder.fit(matrix).kneighbors(matrix)
    out = {}
    for i, paper in enumerate(papers):
        # Ties are broken by slug so that two builds of the same content agree.
        ranked = sorted(((d, papers[j].slug) for d, j in zip(distances[i], indices[i]) if j != i and d < 1.0),
                        key=lambda pair: (round(float(pair[0]), 6), pair[1]))
        out[paper.slug] = [slug for _, slug in ranked[:k]]
    return out
