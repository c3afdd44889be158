"""Text as the analyses see it: one string per paper, and a TF-IDF model of a collection."""
from __future__ import annotations

from typing import Any

from generator.content.paper import Paper


def paper_text(paper: Paper) -> str:
    # The title says what the paper is about more densely than any abstract sentence.
    return f"{paper.title_text}. {paper.title_text}. {paper.abstract}"


def reading_text(paper: Paper) -> str:
    """What a reader's "related papers" are ranked by: a derived title is the abstract's own
    first words, and counting them twice more (as paper_text does a real title) would rank the
    paper by its opening sentence. (The tagger keeps paper_text: its calibrated thresholds and
    the seed's tags were fitted on it.)"""
    return paper.abstract if paper.title_is_derived and paper.abstract else paper_text(paper)


def fit_tfidf(texts: list[str], **options: Any) -> tuple[Any, Any]:
    """A fitted TfidfVectorizer and matrix; pruning options are relaxed when they would leave no
    terms (a collection of near-identical abstracts), and None when the texts hold no words at all."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    for attempt in (options, {**options, "min_df": 1, "max_df": 1.0}):
        vectorizer = TfidfVectorizer(**attempt)
        try:
            return vectorizer, vectorizer.fit_transform(texts)
        except ValueError:  # "no terms remain" / "empty vocabulary"
            continue
    return None, None
