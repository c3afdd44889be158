"""One offline-search spec for both sides: Python builds the index, static/search-engine.js
queries it (in node). The vectors in fixtures/search/spec.json are written by hand from the
rules; switching off accent folding in Python or prefix matching in the JS fails here."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from processes import node_json

from generator.content.config import SiteConfig
from generator.content.paper import Paper
from generator.search.offline import fallback_index, tokens
from generator.site.model import Site

REPO = Path(__file__).resolve().parent.parent
SPEC = json.loads((REPO / "tests" / "fixtures" / "search" / "spec.json").read_text(encoding="utf-8"))
ENGINE = REPO / "static" / "search-engine.js"
NO_FILTERS = {"topic": [], "tag": [], "year": []}


def node(script: str, payload: object) -> object:
    return node_json(script, payload, ENGINE)


def spec_site(tmp_path: Path) -> Site:
    papers = [Paper(slug=p["slug"], title=p["title"], abstract=p["abstract"], tags=p.get("tags", []),
                    added=dt.date.fromisoformat(p["added"])) for p in SPEC["papers"]]
    return Site(SiteConfig(root=tmp_path), papers)


@pytest.mark.parametrize("case", SPEC["tokens"], ids=lambda c: c["text"])
def test_python_tokenises_as_the_spec_says(case):
    assert tokens(case["text"]) == case["tokens"], case["why"]


def test_the_js_engine_tokenises_as_the_spec_says():
    script = """
      const engine = require(process.argv[1]);
      const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
      console.log(JSON.stringify(cases.map(c => engine.tokens(c.text))));"""
    got = node(script, SPEC["tokens"])
    assert got == [case["tokens"] for case in SPEC["tokens"]]


def test_the_js_engine_ranks_the_python_index_as_the_spec_says(tmp_path):
    index = fallback_index(spec_site(tmp_path))
    script = """
      const engine = require(process.argv[1]);
      const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
      const search = engine.open(input.index);
      console.log(JSON.stringify(input.queries.map(q => search.search(q, input.filters).results.map(r => r.slug))));"""
    got = node(script, {"index": index, "queries": [c["q"] for c in SPEC["queries"]], "filters": NO_FILTERS})
    for case, ranked in zip(SPEC["queries"], got, strict=True):
        assert ranked == case["ranked"], f"{case['q']!r}: {case['why']}"


def test_the_rules_travel_in_the_index(tmp_path):
    """The JS takes its word-length and prefix rules from the index, not from a copy of its own."""
    index = fallback_index(spec_site(tmp_path))
    index["rules"]["prefix_from"] = 5  # 'conv' is now too short to be a prefix
    script = """
      const engine = require(process.argv[1]);
      const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
      console.log(JSON.stringify(engine.open(input.index).search("conv", input.filters).results.length));"""
    assert node(script, {"index": index, "filters": NO_FILTERS}) == 0


def test_the_js_engine_corrects_a_query_as_the_spec_says(tmp_path):
    """What the Pagefind back end searches instead when Pagefind finds nothing (search-backends.js)."""
    index = fallback_index(spec_site(tmp_path))
    script = """
      const engine = require(process.argv[1]);
      const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
      const search = engine.open(input.index);
      console.log(JSON.stringify(input.queries.map(q => search.correct(q))));"""
    got = node(script, {"index": index, "queries": [c["q"] for c in SPEC["corrections"]]})
    for case, corrected in zip(SPEC["corrections"], got, strict=True):
        assert corrected == case["corrected"], f"{case['q']!r}: {case['why']}"
