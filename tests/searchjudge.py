"""The judged query set (fixtures/search/judged.yaml), run through both search engines in
Chromium and scored: precision@5, recall@10, nDCG@10 and how much the two engines' top 10 agree.
Shared by tests/test_search_quality.py (a floor) and bench/search_quality.py (the figures)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote_plus

import yaml

JUDGED = Path(__file__).resolve().parent / "fixtures" / "search" / "judged.yaml"
TOP = 10


@dataclass(frozen=True)
class Judged:
    q: str
    kind: str
    relevant: frozenset[str]


def judged_queries(papers_dir: Path) -> list[Judged]:
    """The queries with their relevant slugs; a facet query's are the papers carrying the facet,
    read from the paper files with litsite's own reader."""
    from generator.content.load import load_valid_papers

    papers = load_valid_papers(papers_dir)
    queries = []
    for entry in yaml.safe_load(JUDGED.read_text(encoding="utf-8"))["queries"]:
        if "facet" in entry:
            kind, slug = entry["facet"].split("/", 1)
            relevant = {p.slug for p in papers if slug in (p.tags if kind == "tag" else p.topics)}
        else:
            relevant = set(entry["relevant"])
        queries.append(Judged(entry["q"], entry["kind"], frozenset(relevant)))
    return queries


JUDGED_AUTHORS = JUDGED.parent / "judged-authors.yaml"


def author_fixture() -> Path:
    """The rich fixture the author queries are judged on."""
    return JUDGED.parents[3] / yaml.safe_load(JUDGED_AUTHORS.read_text(encoding="utf-8"))["fixture"]


def judged_author_queries(papers_dir: Path) -> list[Judged]:
    """The author queries with their relevant slugs: the papers of `papers_dir` (the imported
    fixture) with that person among their authors."""
    from generator.content.load import load_valid_papers
    from generator.search.offline import tokens

    papers = load_valid_papers(papers_dir)
    queries = []
    for entry in yaml.safe_load(JUDGED_AUTHORS.read_text(encoding="utf-8"))["queries"]:
        wanted = tokens(entry["author"])
        relevant = {p.slug for p in papers
                    if any(all(w in tokens(name) for w in wanted) for name in p.authors)}
        queries.append(Judged(entry["q"], "author", frozenset(relevant)))
    return queries


def ranked(page, base: str, query: str, meaning: bool = True) -> list[str]:
    """The slugs of the first TOP results the search page shows for `query` (with search by
    meaning switched off through the page's own URL parameter when `meaning` is false)."""
    page.goto(f"{base}search.html?q={quote_plus(query)}" + ("" if meaning else "&meaning=off"))
    page.wait_for_selector("#search-status[data-total]")
    hrefs = page.eval_on_selector_all("#search-results a.paper-title",
                                      "els => els.map(e => new URL(e.href).pathname)")
    return [href.rsplit("/", 1)[-1].removesuffix(".html") for href in hrefs[:TOP]]


def precision_at(found: list[str], relevant: frozenset[str], k: int = 5) -> float:
    """Precision at k against at most k relevant papers (a title query has one right answer:
    finding it first is full marks)."""
    return sum(1 for slug in found[:k] if slug in relevant) / min(k, len(relevant)) if relevant else 0.0


def recall_at(found: list[str], relevant: frozenset[str], k: int = TOP) -> float:
    """Recall at k against at most k relevant papers (a query with 40 relevant papers can find
    at most 10 in its top 10: that is full marks)."""
    return sum(1 for slug in found[:k] if slug in relevant) / min(k, len(relevant)) if relevant else 0.0


def hit_at(found: list[str], relevant: frozenset[str], k: int = 5) -> bool:
    """Whether any relevant paper is among the first k."""
    return any(slug in relevant for slug in found[:k])


def ndcg_at(found: list[str], relevant: frozenset[str], k: int = TOP) -> float:
    gain = sum(1 / math.log2(i + 2) for i, slug in enumerate(found[:k]) if slug in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return gain / ideal if ideal else 0.0


def jaccard(a: list[str], b: list[str]) -> float:
    union = set(a) | set(b)
    return len(set(a) & set(b)) / len(union) if union else 1.0


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    ndcg: float


def score(results: dict[str, list[str]], queries: list[Judged]) -> Scores:
    n = len(queries) or 1
    return Scores(sum(precision_at(results[q.q], q.relevant) for q in queries) / n,
                  sum(recall_at(results[q.q], q.relevant) for q in queries) / n,
                  sum(ndcg_at(results[q.q], q.relevant) for q in queries) / n)


def run_both(browser, site: Path, server_url: str, queries: list[Judged],
             meaning: bool = True) -> dict[str, dict[str, list[str]]]:
    """{engine: {query: top slugs}} for Pagefind (over http) and the offline index (file://)."""
    out: dict[str, dict[str, list[str]]] = {}
    for engine, base in (("pagefind", server_url), ("offline", site.resolve().as_uri() + "/")):
        context = browser.new_context()
        page = context.new_page()
        out[engine] = {q.q: ranked(page, base, q.q, meaning) for q in queries}
        backend = page.get_attribute("#search-status", "data-backend")
        context.close()
        assert backend == engine, (engine, backend)
    return out
