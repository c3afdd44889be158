"""Text as the analyses see it: one string per paper, its words, and a TF-IDF model of a collection."""
from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from generator.content.paper import Paper

Split = Callable[[str], list[str]]


def paper_text(paper: Paper) -> str:
    # The title says what the paper is about more densely than any abstract sentence.
    return f"{paper.title_text}. {paper.title_text}. {paper.abstract}"


def reading_text(paper: Paper) -> str:
    """What a reader's "related papers" are ranked by: a derived title is the abstract's own
    first words, and counting them twice more (as paper_text does a real title) would rank the
    paper by its opening sentence. (The tagger keeps paper_text: its calibrated thresholds and
    the seed's tags were fitted on it.)"""
    return paper.abstract if paper.title_is_derived and paper.abstract else paper_text(paper)


def terms(text: str) -> list[str]:
    """The words TF-IDF counts: scikit-learn's default tokens less its English stop words."""
    return _english_analyzer()(text)


@functools.cache
def _english_analyzer() -> Split:
    from sklearn.feature_extraction.text import TfidfVectorizer  # 0.5 s to import: only when a text is new

    return TfidfVectorizer(stop_words="english").build_analyzer()


class Remembered:
    """A tokeniser that remembers each text's words, from one build to the next (the pipeline
    keeps `used` in a cache beside the site). Splitting 10,000 abstracts takes ~0.6 s a
    tokeniser, and a build splits them for related papers, the map and both search indexes;
    an edit changes a few. Texts are known by a 128-bit digest (no text is stored twice), and a
    split is stored as its words joined by spaces: no tokeniser here returns a word with one."""

    def __init__(self, split: Split, known: dict[bytes, str] | None = None):
        self.split = split
        self.known = known if isinstance(known, dict) else {}
        self.used: dict[bytes, str] = {}

    def __call__(self, text: str) -> list[str]:
        key = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        joined = self.used.get(key)
        if joined is None:
            joined = self.known.get(key)
            if joined is None:  # a new text (every text, in a build from nothing)
                words = self.split(text)
                self.used[key] = " ".join(words)
                return words
            self.used[key] = joined
        return joined.split(" ") if joined else []

    def kept(self) -> dict[bytes, str]:
        """What the next build should remember: the texts of this one, or, when this build split
        none (its analyses were all reused), what it was given."""
        return self.used or self.known


def paper_terms(paper: Paper, split: Split = terms) -> list[str]:
    """split(paper_text(paper)), from the title's and the abstract's own splits (each is
    remembered on its own, so a title edit splits the title alone; tests/test_text.py checks
    the equality)."""
    title = split(paper.title_text)
    return title + title + split(paper.abstract)


def reading_terms(paper: Paper, split: Split = terms) -> list[str]:
    """split(reading_text(paper)), as paper_terms is split(paper_text(paper))."""
    return split(paper.abstract) if paper.title_is_derived and paper.abstract else paper_terms(paper, split)


def fit_tfidf(texts: list[Any], **options: Any) -> tuple[Any, Any]:
    """A fitted TfidfVectorizer and matrix; pruning options are relaxed when they would leave no
    terms (a collection of near-identical abstracts), and None when the texts hold no words at all.
    `texts` may be any documents when options has an `analyzer` that splits them."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    for attempt in (options, {**options, "min_df": 1, "max_df": 1.0}):
        vectorizer = TfidfVectorizer(**attempt)
        try:
            return vectorizer, vectorizer.fit_transform(texts)
        except ValueError:  # "no terms remain" / "empty vocabulary"
            continue
    return None, None
