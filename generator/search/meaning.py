"""Search by meaning: latent semantic analysis of the collection itself, for both engines.

A reader who types what a paper is about in other words ("making networks smaller") shares few
or no words with it, so keyword search finds nothing. The TF-IDF matrix of titles, abstracts and
tags, reduced by a truncated SVD to DIMENSIONS, places words used in the same papers near each
other: a query's words, summed as vectors, point at the papers about that subject even when the
papers use other words for it. Nothing is downloaded: the vectors come from this collection,
at build time.

The result is search-vectors.js, a script setting window.LITSITE_MEANING (so it loads from
file://, without fetch), loaded by static/search-meaning.js on the first search that wants it:
one int8 vector per paper (in the offline index's order, which its `key` pins) and one per word
with its scale. A query is folded in as the sum of its words' vectors (IDF-weighted); papers rank
by cosine. Words are read with offline.tokens, which the browser's tokeniser matches
(tests/test_search_spec.py), so a word typed is the word indexed.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import json
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path

import numpy as np

from generator.content.paper import Paper
from generator.files import atomic_write_text, link_or_copy
from generator.search.offline import QUERY_STOPWORDS, index_order, tokens
from generator.search.order import order_key
from generator.site import urls
from generator.site.model import Site

DIMENSIONS = 64  # measured on the judged queries: 32-150 find as much; 64 keeps 10,000 papers under 2 MB
MAX_WORDS = 8000  # the most frequent words; rarer ones name few papers and keyword search finds those
MIN_PAPERS = 8  # below this there is too little to learn from: no meaning index
FORMAT = 1


def meaning_text(paper: Paper) -> str:
    """What a paper is about: the title (twice, as it says most), the abstract and its tags' words."""
    tags = " ".join(tag.replace("-", " ") for tag in paper.tags)
    return f"{paper.title_text}. {paper.title_text}. {paper.abstract} {tags}"


def counted_words(text: str) -> list[str]:
    """The words the vectors count in a text: its tokens less stop words and numbers."""
    stop = _stop_words()
    return [w for w in tokens(text) if w not in stop and not w.isdigit()]


@functools.cache
def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | frozenset(QUERY_STOPWORDS)


def meaning_words(paper: Paper, split: Callable[[str], list[str]] = counted_words) -> list[str]:
    """split(meaning_text(paper)), from the splits of its parts (each remembered on its own by a
    Remembered tokeniser: a title edit splits the title alone; tests/test_text.py checks it)."""
    title = split(paper.title_text)
    return title + title + split(paper.abstract) + split(" ".join(tag.replace("-", " ") for tag in paper.tags))


def texts_digest(papers: Sequence[Paper]) -> str:
    """Names what the vectors are a function of: the papers' texts in order, this module's
    settings and the libraries that compute them. Equal digests, equal bytes (the SVD is seeded)."""
    hasher = hashlib.blake2b(digest_size=12)
    settings = (FORMAT, DIMENSIONS, MAX_WORDS, MIN_PAPERS, metadata.version("scikit-learn"), metadata.version("numpy"))
    hasher.update(repr(settings).encode())
    for paper in papers:
        hasher.update(f"{paper.slug}\0{meaning_text(paper)}\0".encode())
    return hasher.hexdigest()


def meaning_index(papers: Sequence[Paper], split: Callable[[str], list[str]] = counted_words) -> dict:
    """The vectors of `papers`, in their order; `dims` 0 when there are too few to learn from.
    `split`: counted_words, or a tokeniser that remembers its splits."""
    empty = {"v": FORMAT, "key": order_key([p.slug for p in papers]), "texts": texts_digest(papers), "dims": 0}
    if len(papers) < MIN_PAPERS:
        return empty
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectoriser = TfidfVectorizer(analyzer=lambda paper: meaning_words(paper, split), sublinear_tf=True, min_df=2,
                                 max_features=MAX_WORDS, dtype=np.float32)
    try:
        matrix = vectoriser.fit_transform(papers)
    except ValueError:  # no word is in two papers
        return empty
    dims = min(DIMENSIONS, matrix.shape[0] - 1, matrix.shape[1] - 1)
    if dims < 2:
        return empty
    svd = TruncatedSVD(dims, algorithm="randomized", n_iter=7, random_state=0)
    docs = svd.fit_transform(matrix)
    # A query is folded in as sum(idf(w) * V[w]) over its words: each word's vector carries its IDF.
    words = svd.components_.T * vectoriser.idf_[:, None]
    word_bytes, scales = _quantised(words)
    doc_bytes, _ = _quantised(docs)  # ranked by cosine: a paper's own scale does not matter
    return {
        **empty,
        "dims": dims,
        "words": " ".join(vectoriser.get_feature_names_out()),
        "scales": [float(f"{s:.4g}") for s in scales],
        "terms": base64.b64encode(word_bytes).decode("ascii"),
        "docs": base64.b64encode(doc_bytes).decode("ascii"),
    }


def _quantised(rows: np.ndarray) -> tuple[bytes, np.ndarray]:
    """Each row as int8 (-127..127) times its own scale: a quarter of float32's size, and the
    cosines the ranking uses move by well under 1%."""
    peak = np.abs(rows).max(axis=1)
    scales = np.where(peak > 0, peak / 127, 1.0)
    values = np.rint(rows / scales[:, None]).astype(np.int8)
    return values.tobytes(), scales


def meaning_script(papers: Sequence[Paper], split: Callable[[str], list[str]] = counted_words) -> str:
    payload = json.dumps(meaning_index(papers, split), separators=(",", ":"), ensure_ascii=True)
    # Words are letters and digits, the rest base64 and numbers: nothing to escape in a script.
    return f"window.LITSITE_MEANING={payload};\n"


def write_meaning_index(site: Site, folder: Path, previous: Path | None = None,
                        split: Callable[[str], list[str]] = counted_words) -> int:
    """Write search-vectors.js into `folder` (nothing when site.yaml turns meaning search off).
    `previous`: a folder whose file, if it was made from the same texts (its head names their
    digest), is kept (linked, or left as it is when `previous` is `folder`), which saves the
    SVD (seconds at 10,000 papers): an edit to a paper's authors or venue does not change it."""
    target = folder / urls.MEANING_INDEX
    if not site.config.meaning_search:
        target.unlink(missing_ok=True)
        return 0
    papers = index_order(site)
    if previous is not None and (old := previous / urls.MEANING_INDEX).is_file() and _made_from(old, papers):
        if old != target:
            target.unlink(missing_ok=True)
            link_or_copy(old, target)
        return target.stat().st_size
    text = meaning_script(papers, split)
    atomic_write_text(target, text)
    return len(text)


def _made_from(script: Path, papers: Sequence[Paper]) -> bool:
    head = (f'window.LITSITE_MEANING={{"v":{FORMAT},"key":"{order_key([p.slug for p in papers])}",'
            f'"texts":"{texts_digest(papers)}"')
    with script.open("rb") as stream:
        return stream.read(len(head)).decode("ascii", "replace") == head
