"""The offline search index, for reading the site from file:// where Pagefind cannot run.

A plain script file, loaded with <script> (no fetch, no worker, no WASM), holding an inverted
index over titles, abstracts and authors plus each paper's tags, topics and a short excerpt. static/
search.js queries it; tests/test_search_spec.py runs the same vectors through both.
"""
from __future__ import annotations

import functools
import json
import operator
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from generator.content.paper import Paper
from generator.files import atomic_write_text
from generator.search.order import order_key
from generator.site import urls
from generator.site.model import Site
from generator.site.plan import shown_title

EXCERPT_CHARS = 180
# The tokeniser's rules; the index carries them to static/search-engine.js, which applies them
# to queries, so both sides read them from here.
MIN_WORD = 2  # shorter words are not indexed
PREFIX_FROM = 3  # a query word this long matches as a prefix; shorter ones only match exactly
TYPO_FROM = 5  # a query word this long that is no word of the index matches words one edit away
# Words too common to help a search; the same list filters queries in search.js.
QUERY_STOPWORDS = sorted(set("""a an and are as at be by for from has have in is it its of on or that the this
to was were which with we our can not but than then these those their been also into such via
""".split()))
_WORD = re.compile(r"[^\W_]+")


def tokens(text: str) -> list[str]:
    """Lowercase, accent-free words of MIN_WORD or more characters (search-engine.js does the same)."""
    text = text.lower()
    if not text.isascii():  # ASCII has no accents to take off: most abstracts skip this, 10x faster
        text = unicodedata.normalize("NFD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return [w for w in _WORD.findall(text) if len(w) >= MIN_WORD]


def index_order(site: Site) -> list[Paper]:
    """The papers in the order both offline indexes number them: newest first, as an empty query lists them."""
    return list(site.newest)


def fallback_index(site: Site, split: Callable[[str], list[str]] = tokens) -> dict:
    """`split`: tokens, or a tokeniser that remembers them (analysis/text.py's Remembered)."""
    papers = index_order(site)
    topics = [t.slug for t in site.config.topics]
    topic_id = {slug: i for i, slug in enumerate(topics)}
    tags = sorted(site.tag_counts)
    tag_id = {slug: i for i, slug in enumerate(tags)}
    in_title: dict[str, list[int]] = defaultdict(list)
    in_body: dict[str, list[int]] = defaultdict(list)
    in_authors: dict[str, list[int]] = defaultdict(list)
    stop = set(QUERY_STOPWORDS)
    docs = []
    for n, paper in enumerate(papers):
        for word in sorted(set(split(paper.title_text)) - stop):
            in_title[word].append(n)
        for word in sorted(set(split(paper.abstract)) - stop):
            in_body[word].append(n)
        for word in sorted(set(split(" ".join(paper.authors))) - stop):
            in_authors[word].append(n)
        docs.append([
            paper.slug,
            shown_title(paper),
            _excerpt(_after_title(paper)),
            [topic_id[t] for t in paper.topics if t in topic_id],
            [tag_id[t] for t in paper.tags if t in tag_id],
            1 if paper.title_is_derived else 0,
            paper.year or 0,
        ])
    words = sorted(set(in_title) | set(in_body) | set(in_authors))
    return {
        "v": 2,
        "key": order_key([p.slug for p in papers]),  # search-vectors.js numbers the same papers alike
        "meaning": site.config.meaning_search,
        "rules": {"min_word": MIN_WORD, "prefix_from": PREFIX_FROM, "typo_from": TYPO_FROM},
        "stop": QUERY_STOPWORDS,
        "topics": [[t.slug, t.title] for t in site.config.topics],
        "tags": tags,
        "words": " ".join(words),
        "title": [_postings(in_title.get(w, [])) for w in words],
        "body": [_postings(in_body.get(w, [])) for w in words],
        "author": [_postings(in_authors.get(w, [])) for w in words],
        "docs": docs,
    }


def _after_title(paper: Paper) -> str:
    """The abstract, less the words a derived title already shows (they would be read twice)."""
    start = paper.title_text.removesuffix("…").strip()
    if paper.title_is_derived and start and paper.abstract.startswith(start) and len(paper.abstract) > len(start):
        return "…" + paper.abstract[len(start):].lstrip()
    return paper.abstract


def _excerpt(abstract: str) -> str:
    if len(abstract) <= EXCERPT_CHARS:
        return abstract
    return abstract[:EXCERPT_CHARS].rsplit(" ", 1)[0] + "…"


def _postings(ids: list[int]) -> str:
    """Ascending ids as base-36 gaps joined by '.', e.g. [3, 5, 40] -> '3.2.z'."""
    small = _small_base36()  # most gaps: ~750,000 of them at 10,000 papers
    gaps = map(operator.sub, ids, [0, *ids[:-1]])
    return ".".join(small[g] if g < len(small) else _base36(g) for g in gaps)


@functools.cache
def _small_base36() -> list[str]:
    return [_base36(n) for n in range(36 ** 3)]


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        n, r = divmod(n, 36)
        text = digits[r] + text
        if n == 0:
            return text


def write_fallback_index(site: Site, folder: Path, split: Callable[[str], list[str]] = tokens) -> int:
    payload = json.dumps(fallback_index(site, split), ensure_ascii=False, separators=(",", ":"))
    # Inside a script file, '</script>' can't matter, but U+2028/2029 and '<!--' can: escape them.
    payload = payload.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    text = f"window.LITSITE_SEARCH={payload};\n"
    atomic_write_text(folder / urls.OFFLINE_INDEX, text)
    return len(text.encode("utf-8"))
