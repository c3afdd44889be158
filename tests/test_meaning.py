"""Search by meaning: the vectors Python learns (generator/search/meaning.py), read and ranked by
the browser's code (static/search-meaning.js) and fused with the keyword results by one function
(static/search-engine.js) for both engines; the switch a reader turns it off with; site.yaml's."""
from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from urllib.parse import quote_plus

import numpy as np
import pytest
from processes import node_json

from generator.content.config import load_config
from generator.content.load import load_valid_papers
from generator.errors import InputError
from generator.search.meaning import MIN_PAPERS, meaning_index
from generator.search.offline import QUERY_STOPWORDS, tokens

from conftest import REPO, run_litsite

ENGINE = REPO / "static" / "search-engine.js"
MEANING = REPO / "static" / "search-meaning.js"
NO_FILTERS = {"topic": [], "tag": [], "year": []}


def node(script: str, payload: object) -> object:
    return node_json(script, payload, ENGINE, MEANING)


def script_data(site: Path, name: str, variable: str) -> dict:
    text = (site / name).read_text(encoding="utf-8")
    assert text.startswith(f"window.{variable}=") and text.endswith(";\n")
    return json.loads(text[len(f"window.{variable}="):-2])


@pytest.fixture(scope="module")
def seed_vectors() -> dict:
    papers = sorted(load_valid_papers(REPO / "content" / "papers"), key=lambda p: p.slug)
    return {"index": meaning_index(papers), "slugs": [p.slug for p in papers]}


def python_ranking(index: dict, query: str, limit: int = 10) -> list[int]:
    """The cosine ranking of the stored (quantised) vectors, computed here with numpy, apart
    from the browser's code: what search-meaning.js must reproduce."""
    dims = index["dims"]
    words = {w: i for i, w in enumerate(index["words"].split(" "))}
    terms = np.frombuffer(base64.b64decode(index["terms"]), dtype=np.int8).reshape(-1, dims).astype(float)
    docs = np.frombuffer(base64.b64decode(index["docs"]), dtype=np.int8).reshape(-1, dims).astype(float)
    wanted = [words[w] for w in dict.fromkeys(tokens(query)) if w in words]
    vector = sum(terms[i] * index["scales"][i] for i in wanted)
    cosines = docs @ vector / (np.linalg.norm(docs, axis=1) * np.linalg.norm(vector))
    return [int(i) for i in sorted(range(len(docs)), key=lambda i: (-cosines[i], i))[:limit]]


def test_the_browser_ranks_the_vectors_as_python_reads_them(seed_vectors):
    """Signed bytes, per-word scales, the word list: a byte read as unsigned, a scale dropped or
    words shifted by one changes these orders."""
    queries = ["making networks smaller", "node embeddings from random walks", "estimating distance from a single photo",
               "sound", "graph attention"]
    script = """
      const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
      const meaning = require(process.argv[2]).open(input.index);
      const engine = require(process.argv[1]);
      // every paper, unfiltered: the floor under the cosines is the browser's choice, not the order
      console.log(JSON.stringify(input.queries.map(q => meaning.rank(engine.tokens(q), 10000).slice(0, 10).map(h => h[0]))));"""
    got = node(script, {"index": seed_vectors["index"], "queries": queries})
    for query, ranked in zip(queries, got, strict=True):
        expected = python_ranking(seed_vectors["index"], query)
        assert ranked and ranked == expected[:len(ranked)], query


def test_meaning_finds_what_no_word_of_the_query_names(seed_vectors):
    """'estimating distance from a single photo' shares no word with the depth-estimation
    papers' titles, yet their vectors are the closest."""
    slugs = seed_vectors["slugs"]
    top = [slugs[i] for i in python_ranking(seed_vectors["index"], "estimating distance from a single photo", 5)]
    assert sum("depth" in slug for slug in top) >= 3, top
    assert not any(w in {"depth", "monocular"} for w in tokens("estimating distance from a single photo"))


def test_the_vectors_fit_their_budget_and_hold_only_words_the_browser_can_type(seed_vectors):
    index = seed_vectors["index"]
    words = index["words"].split(" ")
    assert index["dims"] == 64 and len(index["scales"]) == len(words)
    assert len(base64.b64decode(index["docs"])) == 64 * len(seed_vectors["slugs"])
    stop = set(QUERY_STOPWORDS)
    for word in words:
        assert tokens(word) == [word] and word not in stop and not word.isdigit(), word


def test_too_few_papers_give_no_vectors_and_the_build_is_repeatable(seed_vectors):
    papers = sorted(load_valid_papers(REPO / "content" / "papers"), key=lambda p: p.slug)
    assert meaning_index(papers[:MIN_PAPERS - 1])["dims"] == 0
    assert meaning_index(papers) == seed_vectors["index"]  # the same papers, the same bytes


FUSE = """
  const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const engine = require(process.argv[1]).open(input.index);
  console.log(JSON.stringify(input.cases.map(c => {
    const fused = engine.fuse(c.keyword, c.meaning, c.pinned);
    return { ids: fused.ids, added: Array.from(fused.added) };
  })));"""


def test_fusion_keeps_exact_titles_first_and_adds_papers_only_to_short_keyword_lists(seed_site):
    index = script_data(seed_site, "search-index.js", "LITSITE_SEARCH")
    long_list = list(range(100, 130))
    cases = [
        {"keyword": [1, 2, 3], "meaning": [3, 9], "pinned": 1},  # 3: in both lists, moves above 2
        {"keyword": [1, 2, 3], "meaning": [9], "pinned": 0},  # 9: only meaning found it, after the words' own
        {"keyword": long_list, "meaning": [9, 125], "pinned": 0},  # 30 keyword results: nothing added
    ]
    first, second, third = node(FUSE, {"index": index, "cases": cases})
    assert first["ids"][:2] == [1, 3] and set(first["ids"]) == {1, 2, 3, 9} and first["added"] == [9]
    assert second["ids"] == [1, 2, 3, 9] and second["added"] == [9]  # meaning weighs less than the words
    assert third["added"] == [] and sorted(third["ids"]) == long_list and third["ids"][20:] == long_list[20:]


def test_vectors_of_other_papers_are_not_read_as_these(seed_site):
    """A meaning index whose key names another order of papers (a half-finished update) is ignored:
    the offline engine answers with its words alone."""
    index = script_data(seed_site, "search-index.js", "LITSITE_SEARCH")
    vectors = script_data(seed_site, "search-vectors.js", "LITSITE_MEANING")
    assert vectors["key"] == index["key"] and index["meaning"] is True
    script = """
      const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
      const engine = require(process.argv[1]).open(input.index);
      const meaning = require(process.argv[2]).open(input.vectors);
      const q = "estimating distance from a single photo";
      const stale = require(process.argv[2]).open(Object.assign({}, input.vectors, { key: "0123456789ab" }));
      console.log(JSON.stringify([engine.search(q, input.filters).results.length,
                                  engine.search(q, input.filters, meaning).results.length,
                                  engine.search(q, input.filters, stale).results.length]));"""
    words, fused, stale = node(script, {"index": index, "vectors": vectors, "filters": NO_FILTERS})
    assert words < fused and stale == words


def test_site_yaml_turns_meaning_search_off(seed_copy):
    config = seed_copy / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "search:\n  meaning: false\n", encoding="utf-8")
    done = run_litsite(seed_copy, "build", "--no-search")
    assert done.returncode == 0, done.stderr
    done = run_litsite(seed_copy, "build")
    assert done.returncode == 0, done.stderr
    site = seed_copy / "_site"
    assert not (site / "search-vectors.js").exists()
    assert script_data(site, "search-index.js", "LITSITE_SEARCH")["meaning"] is False
    assert 'id="search-meaning"' not in (site / "search.html").read_text(encoding="utf-8")
    assert "meaning vectors" not in done.stdout


def test_a_wrong_meaning_setting_names_its_line(seed_copy):
    config = seed_copy / "site.yaml"
    text = config.read_text(encoding="utf-8") + "search:\n  meaning: sometimes\n"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_config(seed_copy)
    line = text.splitlines().index("  meaning: sometimes") + 1
    assert "search.meaning" in str(caught.value) and f":{line}" in str(caught.value)


# ---- in Chromium ----------------------------------------------------------------------

def results_of(page) -> list[tuple[str, bool]]:
    return page.eval_on_selector_all(
        "#search-results > li:not(.more)",
        "els => els.map(li => [li.querySelector('a.paper-title').href.split('?')[0], !!li.querySelector('.by-meaning')])")


def tag_counts_tell_the_truth(page) -> None:
    """Each tag's count in the filters is the number of results showing that tag's chip."""
    counts = dict(page.eval_on_selector_all(
        "#search-facets input[name=tag]", "els => els.map(e => [e.value, +e.nextElementSibling.querySelector('.count').dataset.count])"))
    chips = page.eval_on_selector_all("#search-results .chips a", "els => els.map(e => e.href.split('/').pop().replace('.html', ''))")
    assert counts and counts == {tag: chips.count(tag) for tag in set(chips)}


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["http", "file"])
def test_a_reader_finds_papers_by_meaning_and_can_switch_it_off(seed_site, seed_server, watch_page, scheme):
    """'estimating distance from a single photo': the words alone find no depth paper; by
    meaning the depth papers come first, each saying why it is there, and the tag facets count
    them. The switch takes them away, is remembered after a reload and shared in the URL."""
    base = seed_server.url if scheme == "http" else seed_site.resolve().as_uri() + "/"
    watch = watch_page()
    page = watch.page
    query = "estimating distance from a single photo"
    page.goto(f"{base}search.html?q={quote_plus(query)}")
    page.wait_for_selector("#search-status[data-total]")
    found = results_of(page)
    by_meaning = [url for url, marked in found if marked]
    assert sum("depth" in url for url in by_meaning[:5]) >= 3, found[:5]
    assert all(marked for url, marked in found if "depth" in url)  # not one of them has all the words
    total = int(page.get_attribute("#search-status", "data-total"))
    assert total == len(found)
    tag_counts_tell_the_truth(page)

    page.click("#search-filters > summary")
    page.uncheck("#search-meaning")
    page.wait_for_function(f"document.getElementById('search-status').dataset.total < {total}")
    page.wait_for_selector("#search-status[data-total]")
    assert not any(marked for _, marked in results_of(page))
    assert "meaning=off" in page.url
    page.goto(f"{base}search.html?q={quote_plus(query)}")  # the choice is kept for the next search
    page.wait_for_selector("#search-status[data-total]")
    assert not page.is_checked("#search-meaning") and not any(m for _, m in results_of(page))
    page.click("#search-filters > summary")
    page.check("#search-meaning")
    page.wait_for_function(f"document.getElementById('search-status').dataset.total == '{total}'")
    assert watch.errors == []
    assert page.get_attribute("#search-status", "data-backend") == ("pagefind" if scheme == "http" else "offline")


@pytest.mark.browser
def test_the_header_box_finds_by_meaning_too(seed_server, watch_page):
    watch = watch_page()
    page = watch.page
    page.goto(seed_server.url + "index.html")
    page.fill("#site-search", "finding tumours in hospital scans")  # one input event: one search
    # the results of the whole query (a slow machine once showed those of "finding tumou" first)
    page.wait_for_selector("#site-search-results[data-total] #instant-all a[href*='hospital+scans']")
    titles = page.eval_on_selector_all("#site-search-results [role=option] a", "els => els.map(e => e.href)")
    assert any(re.search(r"segmentation|3d-fully-convolutional", t) for t in titles), titles
