"""The search index made in shards and merged (search/shards.py, search/bundles.py) against one
Pagefind run over every page: the same pages, words, postings, filters, sorts and fragments, so
the same ranking and facet counts; and the same bytes however the pages are split or reused."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import pytest

from generator.search.bundles import ENTRY, MARKER, read_packed, sort_values
from generator.search.pagefind import write_search_documents
from generator.search.shards import index_in_shards, shard_count, shard_of

from conftest import snapshot

KEY = b"k" * 32  # the user's cache key (build/caches.py) in a build


@pytest.fixture(scope="module")
def documents(seed_site, tmp_path_factory) -> Path:
    """The seed site's search documents, as a build writes them for Pagefind."""
    pages = [p.relative_to(seed_site).as_posix() for p in seed_site.rglob("*.html")
             if "data-pagefind-body" in p.read_text(encoding="utf-8")]
    folder = tmp_path_factory.mktemp("documents") / "docs"
    write_search_documents(seed_site, pages, folder, parallel=False)
    return folder


def one_run(documents: Path, out: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(documents), "--output-path", str(out),
                    "--keep-index-url", "--silent"], check=True)
    return out


def pages(postings: list, url: list[str]) -> dict[str, list]:
    """A word's postings by URL; Pagefind stores each page number as the gap from the one before."""
    found, page = {}, 0
    for posting in postings:
        page += posting[0]
        found[url[page]] = posting[1:]
    return found


def contents(bundle: Path, documents: Path) -> dict:
    """Everything a search can read from a bundle, keyed by URL rather than page number (the
    one thing that differs between runs): per page its word count and fragment, per word the
    locations on each page (and on each written variant), per filter value its pages, per
    sort the pages' values in order."""
    import gzip
    entry = json.loads((bundle / ENTRY).read_text(encoding="utf-8"))
    found: dict = {"version": entry["version"], "languages": {}}
    for language, about in entry["languages"].items():
        meta = read_packed(bundle / f"pagefind.{about['hash']}.pf_meta")
        frags = [json.loads(gzip.decompress((bundle / "fragment" / f"{p[0]}.pf_fragment").read_bytes())[len(MARKER):])
                 for p in meta[1]]
        url = [f["url"] for f in frags]
        words: dict = {}
        for low, high, name in meta[2]:
            for word, postings, variants in read_packed(bundle / "index" / f"{name}.pf_index")[0]:
                # the browser finds a word's chunk by these bounds
                assert low <= word[:len(low)] and word[:len(high)] <= high, (word, low, high)
                assert word not in words
                words[word] = (pages(postings, url), {w: pages(found, url) for w, found in variants})
        filters = {}
        for name, file in meta[3]:
            packed = read_packed(bundle / "filter" / f"{file}.pf_filter")
            filters[name] = {value: sorted(url[p] for p in pages) for value, pages in packed[1]}
        values = {u: sort_values((documents / u.lstrip("/")).read_text(encoding="utf-8")) for u in url}
        sorts = {name: [values[url[p]][name] for p in pages] for name, pages in meta[4]}
        sorted_pages = {name: sorted(url[p] for p in pages) for name, pages in meta[4]}
        found["languages"][language] = {
            "page_count": about["page_count"], "wasm": about["wasm"], "fields": meta[5:],
            "pages": {u: (m[1], f) for u, m, f in zip(url, meta[1], frags, strict=True)},
            "words": words, "filters": filters, "sorts": sorts, "sorted pages": sorted_pages}
    return found


@pytest.mark.parametrize("place", ["disk", "memory"])
def test_shards_merged_hold_what_one_pagefind_run_holds(documents, tmp_path, place):
    """On disk Pagefind lists a folder's files in no useful order and the merge renumbers each
    shard's pages; in memory (/dev/shm, where builds put the documents) it lists them in URL
    order and the merge copies its postings as they are: both must give one run's index."""
    if place == "memory":
        if not Path("/dev/shm").is_dir():
            pytest.skip("no /dev/shm here")
        memory = Path(tempfile.mkdtemp(dir="/dev/shm")) / "docs"
        shutil.copytree(documents, memory)
        documents = memory
    try:
        shards_hold_one_run(documents, tmp_path)
    finally:
        if place == "memory":
            shutil.rmtree(documents.parent)


def shards_hold_one_run(documents: Path, tmp_path: Path) -> None:
    whole = contents(one_run(documents, tmp_path / "one"), documents)
    count = index_in_shards(documents, tmp_path / "cache", tmp_path / "merged", per_shard=40, key=KEY)
    assert len(list((tmp_path / "cache").iterdir())) == 8  # 274 pages, 40 a shard: 8 shards (a power of two)
    merged = contents(tmp_path / "merged", documents)
    english = whole["languages"]["en"]
    assert count == english["page_count"] > 250
    assert english["sorts"]["added"] and english["filters"]["tag"] and english["fields"] == [["summary", "title"]]
    assert merged == whole


def test_written_variants_languages_and_numeric_sorts_merge_as_one_run_makes_them(tmp_path):
    """What the seed collection does not have: accented words (Pagefind keeps 'café' as a
    variant of 'cafe'), pages in two languages (one index each) and sort values that are numbers."""
    docs = tmp_path / "docs"
    (docs / "papers").mkdir(parents=True)
    texts = ["Café naïve résumé", "Other café and cafés", "Zürich über straße", "Plain words only"]
    for n in range(24):
        language = "de" if n % 5 == 0 else "en"
        (docs / "papers" / f"p{n}.html").write_text(
            f'<!doctype html>\n<html lang="{language}"><head><meta charset="utf-8"></head><body><main data-pagefind-body>'
            f'<h1>{texts[n % 4]} {n}</h1><p>Paper {n} of the set: {texts[(n + 1) % 4]}.</p>'
            f'<span data-pagefind-filter="tag">t{n % 3}</span><span data-pagefind-sort="rank">{(n * 7) % 11}</span>'
            f'<span data-pagefind-meta="summary">s{n}</span></main></body></html>\n', encoding="utf-8")
    whole = contents(one_run(docs, tmp_path / "one"), docs)
    index_in_shards(docs, tmp_path / "cache", tmp_path / "merged", per_shard=3, key=KEY)
    assert len(list((tmp_path / "cache").iterdir())) == 8
    assert set(whole["languages"]) == {"de", "en"}
    assert whole["languages"]["en"]["words"]["cafe"][1]  # variants are there to merge
    assert whole["languages"]["en"]["sorts"]["rank"] == sorted(whole["languages"]["en"]["sorts"]["rank"], key=int)
    assert contents(tmp_path / "merged", docs) == whole


def test_a_bundle_is_the_same_bytes_however_its_shards_were_made_or_reused(documents, tmp_path):
    index_in_shards(documents, tmp_path / "c1", tmp_path / "one", per_shard=10_000, key=KEY)
    index_in_shards(documents, tmp_path / "c8", tmp_path / "eight", per_shard=40, key=KEY)
    assert contents(tmp_path / "one", documents) == contents(tmp_path / "eight", documents)
    index_in_shards(documents, tmp_path / "other-c8", tmp_path / "eight-again", per_shard=40, key=KEY)
    assert snapshot(tmp_path / "eight-again") == snapshot(tmp_path / "eight")  # Pagefind run again
    # a second run over the same documents reuses every shard: the same bytes again
    made = {p.name: p.stat().st_ino for p in (tmp_path / "c8").iterdir()}
    index_in_shards(documents, tmp_path / "c8", tmp_path / "again", per_shard=40, key=KEY)
    assert {p.name: p.stat().st_ino for p in (tmp_path / "c8").iterdir()} == made
    assert snapshot(tmp_path / "again") == snapshot(tmp_path / "eight")


def test_shards_signed_with_another_key_or_none_are_made_again(documents, tmp_path):
    """Shards someone else left beside the site (committed to the project, say) are never
    published: their digest is not signed with this user's key."""
    index_in_shards(documents, tmp_path / "cache", tmp_path / "first", per_shard=40, key=KEY)
    made = {p.name: p.stat().st_ino for p in (tmp_path / "cache").iterdir()}
    index_in_shards(documents, tmp_path / "cache", tmp_path / "other", per_shard=40, key=b"x" * 32)
    again = {p.name: p.stat().st_ino for p in (tmp_path / "cache").iterdir()}
    assert again.keys() == made.keys() and all(again[n] != made[n] for n in made)
    index_in_shards(documents, tmp_path / "cache", tmp_path / "none", per_shard=40)  # no key: nothing reused
    assert all(p.stat().st_ino != again[p.name] for p in (tmp_path / "cache").iterdir())
    assert snapshot(tmp_path / "other") == snapshot(tmp_path / "first") == snapshot(tmp_path / "none")


def test_an_edited_page_indexes_its_shard_again_and_the_bundle_equals_one_from_nothing(documents, tmp_path):
    edited = tmp_path / "docs"
    subprocess.run(["cp", "-r", str(documents), str(edited)], check=True)
    index_in_shards(edited, tmp_path / "cache", tmp_path / "before", per_shard=40, key=KEY)
    made = {p.name: p.stat().st_ino for p in (tmp_path / "cache").iterdir()}
    page = sorted((edited / "papers").glob("*.html"))[7]
    page.write_text(page.read_text(encoding="utf-8").replace("<h1", "<h1><span>Zyxwvutsrq</span", 1), encoding="utf-8")
    index_in_shards(edited, tmp_path / "cache", tmp_path / "after", per_shard=40, key=KEY)
    now = {p.name: p.stat().st_ino for p in (tmp_path / "cache").iterdir()}
    changed = {name for name in made if now[name] != made[name]}
    assert changed == {f"8-{shard_of(page.relative_to(edited).as_posix(), 8)}"}
    index_in_shards(edited, tmp_path / "fresh-cache", tmp_path / "nothing", per_shard=40, key=KEY)
    assert snapshot(tmp_path / "after") == snapshot(tmp_path / "nothing")
    assert snapshot(tmp_path / "after") != snapshot(tmp_path / "before")
    words = contents(tmp_path / "after", edited)["languages"]["en"]["words"]
    assert list(words["zyxwvutsrq"][0]) == ["/" + page.relative_to(edited).as_posix()]


def test_the_shard_count_is_a_power_of_two_and_a_page_keeps_its_shard_as_papers_are_added():
    assert [shard_count(n, 2000) for n in (1, 2000, 2001, 10_000, 32_000, 32_001, 150_000)] == [1, 1, 2, 8, 16, 16, 16]
    spread = defaultdict(int)
    for n in range(10_000):
        spread[shard_of(f"papers/p{n}.html", 8)] += 1
    assert len(spread) == 8 and min(spread.values()) > 1100  # ~1,250 each
