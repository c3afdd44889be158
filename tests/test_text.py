"""The words the analyses count (generator/analysis/text.py): a paper's terms taken from the
splits of its parts equal the split of its whole text, and a tokeniser that remembers its
splits (kept between builds) returns what the tokeniser itself returns.

Texts: the seed collection, every record of the real exports under tests/fixtures/ (real/ and
unicode/: Zotero, JabRef, Mendeley, CSL test suite, RIS) and a few strings at the edges of
Unicode's case and normalisation rules."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from generator.analysis.text import Remembered, paper_terms, paper_text, reading_terms, reading_text, terms
from generator.content.load import load_valid_papers
from generator.content.paper import Paper
from generator.search.meaning import counted_words, meaning_text, meaning_words
from generator.search.offline import tokens
from generator.sources.readers import read_records

from conftest import REPO

FIXTURES = REPO / "tests" / "fixtures"
EDGES = [
    ("ΟΔΥΣΣΕΥΣ", "ΣΟΦΙΑ and the final sigma"),  # Greek final sigma depends on what follows
    ("İstanbul Iğdır", "ı and İ lower to more than one character"),
    ("", "An abstract under no title"),
    ("A title with no abstract", ""),
    ("Café\u0301", "\u0301 a combining mark first; e\u0301te\u0301 in NFD"),
    ("snake_case and 2024 digits", "x_y 3d CO2 x2"),
    ("Ends with a dash -", "- starts with one"),
]


def _real_papers() -> list[Paper]:
    papers = load_valid_papers(REPO / "content" / "papers")
    seed = papers[0]
    records = []
    for path in sorted((FIXTURES / "real").glob("*")) + [FIXTURES / "unicode" / "csl-test-suite.json"]:
        if path.is_file() and path.name != "SOURCES":
            records += read_records(path, path.name)[0]
    pairs = [(r.title or "", r.abstract, r.keywords) for r in records] + [(t, a, ["two-words"]) for t, a in EDGES]
    assert len(records) > 50
    derived = dataclasses.replace(seed, title_source="abstract")
    return papers + [derived] + [dataclasses.replace(seed, slug=f"x{i}", title=t, abstract=a, tags=k)
                                 for i, (t, a, k) in enumerate(pairs)]


@pytest.fixture(scope="module")
def papers() -> list[Paper]:
    return _real_papers()


def test_a_papers_terms_are_the_terms_of_its_text(papers):
    assert any(p.title_is_derived for p in papers)
    for paper in papers:
        assert paper_terms(paper) == terms(paper_text(paper)), paper.title
        assert reading_terms(paper) == terms(reading_text(paper)), paper.title


def test_a_papers_meaning_words_are_the_words_of_its_meaning_text(papers):
    for paper in papers:
        assert meaning_words(paper, tokens) == tokens(meaning_text(paper)), paper.title
        assert meaning_words(paper) == counted_words(meaning_text(paper)), paper.title
    assert counted_words("The 2024 networks") == ["networks"]  # no stop word, no number


def test_a_remembered_split_is_the_split_and_kept_splits_are_not_made_again(papers):
    calls: list[str] = []

    def counted(text: str) -> list[str]:
        calls.append(text)
        return tokens(text)

    first = Remembered(counted)
    texts = [p.abstract for p in papers] + [p.title_text for p in papers]
    assert [first(t) for t in texts] == [tokens(t) for t in texts]
    assert len(calls) == len(set(texts))  # each text split once, however often asked
    kept = first.kept()
    calls.clear()
    again = Remembered(counted, kept)
    assert [again(t) for t in texts] == [tokens(t) for t in texts]
    assert calls == []
    edited = texts[0] + " and one more sentence"
    assert again(edited) == tokens(edited) and calls == [edited]
    assert len(again.kept()) == len(kept) + 1


def test_what_a_build_remembers_is_what_it_split_or_else_what_it_was_given():
    given = Remembered(tokens)
    given("old words")
    unused = Remembered(tokens, given.kept())
    assert unused.kept() == given.kept()  # a build that split nothing forgets nothing
    unused("new words")
    assert len(unused.kept()) == 1  # a build that split keeps its own texts only: no growth


def test_a_damaged_memory_is_no_memory(tmp_path: Path):
    assert Remembered(tokens, "not a dict")("Two words") == ["two", "words"]  # type: ignore[arg-type]
