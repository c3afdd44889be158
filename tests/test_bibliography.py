"""BibTeX and CSL-JSON import, one paper across all sources, and authors and years on the site."""
from __future__ import annotations

import re
import shutil

import pytest

from generator.content.frontmatter import render_paper_file
from generator.content.validate import read_paper
from generator.sources.records import identifiers_from

from conftest import REPO, collection, run_litsite, snapshot

BIB = REPO / "tests" / "fixtures" / "bib"
RESMLP = "we-present-resmlp-an-architecture-built-entirely-upon-multi-layer-perceptrons"


@pytest.fixture
def seeded(project):
    """A project holding the seed collection, plus the bibliography fixtures."""
    shutil.rmtree(project / "content")
    shutil.copytree(REPO / "content", project / "content")
    shutil.copytree(BIB, project / "bib")
    return project


papers = collection


def test_zotero_bibtex_fields_latex_and_months(seeded):
    result = run_litsite(seeded, "import", "bib/zotero.bib")
    assert result.returncode == 1  # one entry had to be skipped; the rest were imported
    found = papers(seeded)
    novak = found["sparse-graphs-and-skoda-s-czech-transformers-100-fun-with-underscores"]
    assert novak.title == "Sparse graphs and Škoda's Czech Transformers: 100% ~fun with _underscores"
    assert novak.authors == ["Jiří Novák", "Søren Østergaard", "The LitSite Consortium"]
    assert novak.year == 2021 and novak.arxiv == "2105.01234"
    assert "\\url{https://example.org/sparse}" in novak.abstract
    assert novak.links["code"] == "https://github.com/example/sparse-czech"
    assert novak.title_source == "bibtex" and novak.tags  # new papers are tagged from the vocabulary
    deepwalk = found["deepwalk-online-learning-of-social-representations"]
    assert deepwalk.title == "DeepWalk: Online Learning of Social Representations"  # the dump's title stays
    assert deepwalk.authors == ["Bryan Perozzi", "Rami Al-Rfou", "Steven Skiena"]
    assert deepwalk.arxiv == "1403.6652" and deepwalk.doi == "10.1145/2623330.2623732" and deepwalk.year == 2014
    history = found["annotated-history-of-modern-ai-and-deep-learning"]
    assert history.authors == ["Jürgen Schmidhuber"] and history.arxiv == "2212.11279"  # @misc, eprint v2
    assert history.venue == "arXiv"
    text = "".join(p.path.read_text() for p in found.values())
    assert "Zotero/storage" not in text and ".pdf:application/pdf" not in text  # file fields dropped


def test_malformed_entry_is_reported_with_its_line_and_the_others_import(seeded):
    result = run_litsite(seeded, "import", "bib/zotero.bib")
    assert "bib/zotero.bib:47: error: malformed entry 'broken_entry_2021' skipped" in result.stderr
    assert "bib/zotero.bib:63: warning: duplicate key 'perozzi_deepwalk_2014'" in result.stderr
    assert "bib/zotero.bib:34: warning: entry 'schmidhuber_annotated_2022' has no abstract" in result.stderr
    found = papers(seeded)
    assert "a-different-paper-that-reused-the-key" in found  # the duplicate key's entry, not merged into DeepWalk
    assert found["a-different-paper-that-reused-the-key"].sources[0].key == "perozzi_deepwalk_2014"
    assert len(found) == 273 + 2
    assert "Traceback" not in result.stderr


def test_bib_entry_replaces_a_derived_title_and_keeps_everything_else_and_twice_changes_nothing(seeded):
    before = read_paper(seeded / "content" / "papers" / f"{RESMLP}.md")
    assert before.title_is_derived
    run_litsite(seeded, "import", "bib/zotero.bib")
    after = read_paper(seeded / "content" / "papers" / f"{RESMLP}.md")
    assert after.title == "ResMLP: Feedforward Networks for Image Classification With Data-Efficient Training"
    assert after.title_source == "bibtex"
    assert after.abstract == before.abstract and after.tags == before.tags and after.topics == before.topics
    assert after.notes == before.notes and after.added == before.added
    assert after.sources[: len(before.sources)] == before.sources and len(after.sources) == len(before.sources) + 1
    assert after.doi == "10.1109/TPAMI.2022.3206148" and after.year == 2023
    assert after.authors[-1] == "Hervé Jégou"
    assert after.venue == "IEEE Transactions on Pattern Analysis and Machine Intelligence"
    state = snapshot(seeded / "content")
    again = run_litsite(seeded, "import", "bib/zotero.bib")
    assert "0 new, 0 changed" in again.stdout
    assert snapshot(seeded / "content") == state


def test_csl_json_import_with_the_same_fields(seeded):
    result = run_litsite(seeded, "import", "bib/zotero.json")
    assert result.returncode == 1 and "bib/zotero.json:26: error: item 'no_title_no_abstract'" in result.stderr
    found = papers(seeded)
    attention = found["attention-is-all-you-need"]
    assert attention.authors == ["Ashish Vaswani", "Google Brain Team"]
    assert attention.year == 2017 and attention.arxiv == "1706.03762" and attention.venue == "arXiv"
    assert attention.title_source == "csl" and "transformer" in attention.tags  # keyword mapped to the vocabulary
    resmlp = found[RESMLP]
    assert resmlp.title.startswith("ResMLP:") and resmlp.doi == "10.1109/TPAMI.2022.3206148"
    assert resmlp.authors == ["Hugo Touvron", "Hervé Jégou"]


def test_bibtex_and_csl_of_one_paper_become_one_paper(seeded):
    run_litsite(seeded, "import", "bib/zotero.bib", "bib/zotero.json")
    found = papers(seeded)
    resmlp = found[RESMLP]
    assert {s.file for s in resmlp.sources} >= {"bib/zotero.bib", "bib/zotero.json"}
    assert sum(p.doi == "10.1109/TPAMI.2022.3206148" for p in found.values()) == 1


def test_a_persons_value_wins_and_the_conflict_is_reported(seeded):
    path = seeded / "content" / "papers" / f"{RESMLP}.md"
    paper = read_paper(path)
    paper.title = "ResMLP (our name for it)"
    paper.title_source = "person"
    paper.year = 2021
    path.write_text(render_paper_file(paper))
    result = run_litsite(seeded, "import", "--dry-run", "bib/zotero.bib")
    assert "conflict: we-present-resmlp" in result.stderr and "kept the title a person set" in result.stderr
    assert "kept the year a person set (2021)" in result.stderr
    assert re.search(r"would add: content/papers/sparse-graphs", result.stdout)
    assert re.search(r"would merge: deepwalk-online-learning-of-social-representations: .*authors", result.stdout)
    assert read_paper(path).title == "ResMLP (our name for it)"  # dry run wrote nothing
    run_litsite(seeded, "import", "bib/zotero.bib")
    after = read_paper(path)
    assert after.title == "ResMLP (our name for it)" and after.year == 2021
    assert after.doi == "10.1109/TPAMI.2022.3206148"  # missing fields are still filled


@pytest.mark.parametrize("fields, expected", [
    ({"eprint": "2101.01234v3", "archive": "arXiv"}, ("", "2101.01234")),
    ({"url": "https://arxiv.org/abs/1706.03762v5"}, ("", "1706.03762")),
    ({"journal": "arXiv preprint arXiv:1912.01703"}, ("", "1912.01703")),
    ({"doi": "https://doi.org/10.48550/arXiv.2303.08774"}, ("10.48550/arXiv.2303.08774", "2303.08774")),
    ({"eprint": "hep-th/9901001"}, ("", "hep-th/9901001")),
    ({"doi": "doi:10.1000/182"}, ("10.1000/182", "")),
    ({"eprint": "12345", "archive": "pubmed"}, ("", "")),
])
def test_identifiers_are_found_wherever_bibliographies_put_them(fields, expected):
    assert identifiers_from(**fields) == expected


def test_site_shows_authors_years_and_exports_real_fields(seeded):
    run_litsite(seeded, "import", "bib/zotero.bib")
    run_litsite(seeded, "build", check=True)
    site = seeded / "_site"
    html = (site / "papers" / f"{RESMLP}.html").read_text()
    assert '<a href="../authors/herve-jegou.html">Hervé Jégou</a>' in html
    assert '<a href="../years/2023.html">2023</a>' in html
    assert '<meta name="citation_author" content="Touvron, Hugo">' in html
    assert '<meta name="citation_doi" content="10.1109/TPAMI.2022.3206148">' in html
    author_page = (site / "authors" / "herve-jegou.html").read_text()
    assert "ResMLP: Feedforward Networks" in author_page
    assert "ResMLP: Feedforward Networks" in (site / "years" / "2023.html").read_text()
    assert 'href="years/2023.html"' in (site / "years.html").read_text()
    bib = (site / "papers.bib").read_text()
    entry = bib[bib.index("title = {{ResMLP"):].split("\n}")[0]
    assert "author = {Touvron, Hugo and" in entry and "year = {2023}" in entry
    assert "doi = {10.1109/TPAMI.2022.3206148}" in entry and "journal = {IEEE Transactions" in entry
    assert "file" not in entry and "abstract" not in entry  # nothing internal leaks to readers
    index = (site / "search-index.js").read_text()
    assert ",2023]" in index  # the year facet of the offline search
    assert 'data-pagefind-filter="year">2023<' in html
