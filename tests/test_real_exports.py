"""The import contract on real exports (tests/fixtures/real/, origins in its SOURCES): for each,
into an empty collection, `import` exits 0 (or 1 with every skipped entry named), `check` and
`build` accept what it wrote, a second `import` changes no byte, and no two entries with
different DOIs became one paper."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from generator.content.load import load_valid_papers
from generator.sources.readers import input_files, read_records

from conftest import REPO, run_litsite, snapshot

REAL = REPO / "tests" / "fixtures" / "real"
CORPUS = sorted(p.name for p in REAL.iterdir() if p.name != "SOURCES")


def test_every_fixture_has_its_origin_in_sources():
    entries = re.split(r"\n(?=\S)", (REAL / "SOURCES").read_text())  # an entry: a line at column 0 and its indented rest
    described = {e.split(" — ")[0].rstrip("/"): e for e in entries if " — " in e}
    assert len(CORPUS) >= 8
    for name in CORPUS:
        entry = described.get(name, "")
        assert re.search(r"[\w.-]+/[\w.-]+,\s", entry) and re.search(r"\b[0-9a-f]{40}\b", entry), name  # repository, commit


def _distinct_dois(source: Path) -> set[str]:
    """The DOIs the export itself holds, read with the reader's own normalisation."""
    dois = set()
    for path in input_files([source]):
        records, _shape, _problems = read_records(path, path.name)
        dois |= {r.doi.lower() for r in records if r.doi}
    return dois


@pytest.mark.parametrize("name", CORPUS)
def test_a_real_export_imports_into_content_that_builds_and_reimports_unchanged(project, name):
    shutil.copytree(REAL / name, project / name) if (REAL / name).is_dir() else shutil.copy(REAL / name, project / name)
    first = run_litsite(project, "import", name)
    assert first.returncode in (0, 1) and "Traceback" not in first.stderr, first.stderr
    if first.returncode == 1:  # entries were skipped: each one is named, with its line
        skipped = [line for line in first.stderr.splitlines() if ": error: " in line]
        assert skipped and all(re.match(rf"^{re.escape(name)}:\d+: error: ", line) for line in skipped), skipped
    papers = load_valid_papers(project / "content" / "papers")
    assert papers
    check = run_litsite(project, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    build = run_litsite(project, "build", "--no-search")
    assert build.returncode == 0, build.stderr
    before = snapshot(project / "content")
    second = run_litsite(project, "import", name)
    assert second.returncode == first.returncode, second.stderr
    assert snapshot(project / "content") == before
    assert "0 new, 0 changed" in second.stdout
    # No two DOIs in one paper: every DOI of the export is still some paper's DOI.
    assert {p.doi.lower() for p in papers if p.doi} == _distinct_dois(REAL / name)


def _import(project: Path, name: str) -> tuple[dict[str, dict], str, str]:
    shutil.copytree(REAL / name, project / name) if (REAL / name).is_dir() else shutil.copy(REAL / name, project / name)
    result = run_litsite(project, "import", name)
    found = {p.slug: p for p in load_valid_papers(project / "content" / "papers")}
    return found, result.stdout, result.stderr


def test_urls_and_dois_are_not_tex_and_short_dois_are_dois(project):
    found, _out, err = _import(project, "zotero-bbt-group.biblatex.bib")
    links = [url for p in found.values() for url in p.links.values() if isinstance(url, str)]
    assert "http://www.medra.org/servlet/aliasResolver?alias=iospressISBN&isbn=978-1-61499-408-4&spage=78" in links
    assert all(" " not in url and "{" not in url for url in links)
    csl, _out, _err = _import(project, "zotero-better-csl.json")
    assert "10/fqd6hj" in {p.doi for p in csl.values()}  # a shortDOI, which doi.org resolves


def test_a_value_that_cannot_be_made_valid_is_left_out_with_its_source_line(project):
    found, _out, err = _import(project, "zotero-bbt-library.bib")
    assert ("zotero-bbt-library.bib:3137: warning: entry 'Kunert_nt_2011': field 'doi' left out: "
            "'0.1088/0957-4484/22/26/265202' is not a DOI") in err
    paper = next(p for p in found.values() if p.sources[0].key == "Kunert_nt_2011")
    assert paper.doi == "" and paper.year == 2011


def test_biblatex_dates_crossref_and_containers(project):
    found, _out, err = _import(project, "biblatex-examples.bib")
    assert all(p.year for p in found.values())  # biblatex gives `date`, never `year`
    westfahl = next(p for p in found.values() if p.sources[0].key == "westfahl:space")
    assert westfahl.venue.startswith("Space and Beyond") and westfahl.year == 2000  # from its crossref parent
    assert "westfahl:frontier" in err and not any(p.sources[0].key == "westfahl:frontier" for p in found.values())
    dblp, _out, _err = _import(project, "dblp-crossref.bib")
    assert not any(p.sources[0].key == "DBLP:conf/wicsa/2015" for p in dblp.values())


def test_every_merge_is_reported_with_its_evidence_and_lookalikes_are_not_merged(project):
    _found, out, _err = _import(project, "biblatex-examples.bib")
    assert re.search(r"^merged: computers-typesetting: 2 entries are one paper \(the same title and year\): "
                     r"biblatex-examples\.bib:663, biblatex-examples\.bib:768$", out, re.M), out
    found, out, _err = _import(project, "rispy-example-full.ris")
    titles = {p.title for p in found.values()}
    assert {"Title of reference", "The title of the reference"} <= titles  # near-identical abstracts, 2014 and 2006
    assert "1 possible duplicates, not merged" in out


def test_problems_of_one_kind_are_counted_not_repeated(project):
    _found, out, err = _import(project, "zotero-bbt-library.bib")
    no_abstract = [line for line in err.splitlines() if "has no abstract" in line]
    assert len(no_abstract) == 3 + 1 and "more like the above" in no_abstract[-1], no_abstract
    assert "506 records (BibTeX)" in out and "506 records" not in err  # the report on stdout, problems on stderr
    verbose = run_litsite(project, "import", "--verbose", "zotero-bbt-library.bib")
    assert sum("has no abstract" in line for line in verbose.stderr.splitlines()) > 400


def test_ris_web_of_science_and_jekyll_collections(project):
    found, out, _err = _import(project, "rispy-example-wos.ris")
    assert "2 records (RIS)" in out
    wos = next(iter(found.values()))
    assert wos.authors[0] == "PS Parkes-Loach" and wos.abstract.startswith("Reconstitution experiments")
    jekyll, out, _err = _import(project, "jekyll-publications")
    gnn = jekyll["gnnadvisor-an-efficient-runtime-system-for-gnn-acceleration-on-gpus"]
    assert gnn.venue == "OSDI" and gnn.year == 2021 and gnn.arxiv == "2006.06608"
    assert gnn.abstract.startswith("Propose and implement") and "+" not in gnn.abstract[:2]
    assert json.dumps(gnn.links) == '{"pdf": "https://arxiv.org/pdf/2006.06608.pdf"}'
    placeholder = next(p for p in jekyll.values() if (p.sources[0].key or "").startswith("0014-2022"))
    assert "<br>" not in placeholder.abstract and "{:target" not in placeholder.abstract


def test_tex_in_titles_is_maths_in_pages_and_plain_text_everywhere_else(project):
    """jabref-authors.bib's `$\\Sigma$$\\Delta$` and biblatex's `{\\TeX}: The Program`."""
    import subprocess
    import xml.etree.ElementTree as ET

    from test_exports import VNU

    found, _out, _err = _import(project, "jabref-authors.bib")
    _import(project, "biblatex-examples.bib")
    found = {p.slug: p for p in load_valid_papers(project / "content" / "papers")}
    assert "tex-the-program" in found and found["tex-the-program"].title == "TeX: The Program"  # the logo kept
    slug = "reducing-complexity-and-power-of-digital-multibit-error-feedback-ds-modulators"
    assert "$\\Delta$$\\Sigma$" in found[slug].title  # the file keeps the TeX
    run_litsite(project, "build", check=True)
    site = project / "_site"
    page = (site / "papers" / f"{slug}.html").read_text()
    heading = page.split("<h1", 1)[1].split("</h1>", 1)[0]
    assert heading.count("<math") == 2 and "$" not in heading and "\\Delta" not in heading
    plain = "Reducing Complexity and Power of Digital Multibit Error-Feedback ΔΣ Modulators"
    assert f"<title>{plain} ·" in page and f'content="{plain}"' in page  # <title>, Scholar and Open Graph
    feed_titles = {e.text for e in ET.parse(site / "feed.xml").getroot().iter("{http://www.w3.org/2005/Atom}title")}
    bib = (site / "papers.bib").read_text()
    assert not any("$" in (t or "") for t in feed_titles) and "$\\Delta" not in bib and f"{{{{{plain}}}}}" in bib
    assert "\\Delta" not in (site / "search-index.js").read_text()
    if VNU.exists():  # the validator test proper is in test_exports.py; here it judges the MathML
        checked = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json",
                                  str(site / "papers" / f"{slug}.html"), str(site / "list" / "title.html")],
                                 capture_output=True, text=True)
        assert json.loads(checked.stderr or checked.stdout)["messages"] == []


def test_plain_text_of_real_titles():
    from generator.content.tex import plain_text

    assert plain_text("Linear programming design of semi-digital FIR filter and $\\Sigma$$\\Delta$ modulator") \
        == "Linear programming design of semi-digital FIR filter and ΣΔ modulator"
    assert plain_text("Diffusion Lengths of Excited Carriers in Cd$_{1-x}$Zn$_x$Se") \
        == "Diffusion Lengths of Excited Carriers in Cd₁₋ₓZnₓSe"
    assert plain_text("Carrier Confinement (0$<$x$\\leq$1)") == "Carrier Confinement (0<x≤1)"
    assert plain_text("{\\TeX}: The Program") == "TeX: The Program"
    assert plain_text("Costs \\$5, 100% sure") == "Costs $5, 100% sure"  # '%' is text here, not a TeX comment


def test_no_topic_fits_is_an_answer_and_check_knows_imports_proposals(project):
    """A solid-state physics library in this site's machine-learning taxonomy: most papers get no
    topic instead of a forced one, are listed for attention, and suggest-topics works on them;
    the tags import proposed are one line of `check`, not one warning per use."""
    found, out, _err = _import(project, "zotero-bbt-library.bib")
    unsorted = [p for p in found.values() if not p.topics]
    assert len(unsorted) > 0.8 * len(found)
    assert f"{len(unsorted)} new papers fit no topic of site.yaml" in out
    check = run_litsite(project, "check")
    lines = [line for line in (check.stdout + check.stderr).splitlines() if ": warning: " in line]
    assert len(lines) == 1 and "tags outside the vocabulary were proposed by import" in lines[0], lines[:5]
    run_litsite(project, "build", "--no-search", check=True)
    attention = (project / "_site" / "attention.html").read_text()
    assert "No topic" in attention and (project / "_site" / "attention" / "no-topic.html").exists()
    suggested = run_litsite(project, "suggest-topics", "--unsorted", check=True)
    assert "topics:" in suggested.stdout and "nanowire" in suggested.stdout.lower()


def test_reused_and_empty_keys_are_decoded_like_any_entry_and_reimport_idempotently(project):
    """mendeley-export.bib: 60 entries with an empty key (`@article{,`) or one used before."""
    found, _out, err = _import(project, "mendeley-export.bib")
    assert "duplicate key ''" in err and "duplicate key 'Milazzo2017'" in err
    titles = {p.title for p in found.values()}
    assert "Blocking CRT: How the Emotionality of Whiteness Blocks CRT in Urban Teacher Education" in titles
    assert not any(t.startswith("{") for t in titles)  # an entry with a reused key is decoded too
    milazzo = [p for p in found.values() if any(s.key == "Milazzo2017" for s in p.sources)]
    assert all(len(p.authors) == 1 and p.authors[0] == "Marzia Milazzo" for p in milazzo)
    darkwater = [p for p in found.values() if p.title.startswith("Darkwater")]
    before = snapshot(project / "content")
    run_litsite(project, "import", "mendeley-export.bib")
    assert snapshot(project / "content") == before and len(darkwater) == 1  # an empty key: no new copy


@pytest.mark.parametrize("name, entries", [("endnote-no-key.bib", 1), ("empty-field.bib", 1),
                                           ("zotfile-repeated-fields.bib", 7)])
def test_faults_litsite_does_not_care_about_drop_no_entry(project, name, entries):
    """A missing key, an empty field, a repeated `file`: bibtexparser drops these entries (with
    'Duplicate field keys … ignore_error_block'); litsite imports them and says so in its words."""
    found, out, err = _import(project, name)
    assert f"{entries} records (BibTeX)" in out and len(found) == entries, err
    assert "error" not in err and "ignore_error_block" not in err and "Middleware" not in err, err
    if name != "zotfile-repeated-fields.bib":
        assert re.search(rf"^{re.escape(name)}:\d+: warning: entry repaired", err, re.M), err
    else:  # a repeated `file` is not worth a word; a repeated title is
        assert err.count("given twice") == 1 and "field title given twice: the first is used" in err


def test_a_per_cent_sign_is_text_not_a_tex_comment(project):
    """mendeley-export.bib writes '85%' unescaped; decoded as TeX, the abstract ended at '(85'."""
    found, _out, _err = _import(project, "mendeley-export.bib")
    goodreads = found["goodreads-reviews-to-assess-the-wider-impacts-of-books"]
    assert "numerous enough in the arts (85% of books had at least one), humanities (80%)" in goodreads.abstract


def test_placeholder_abstracts_are_no_abstract_and_no_evidence(project):
    """jabref-groups.bib, the JabRef group database of the issue: 15 physics papers of 1949-2008
    whose abstract is "Not Available". They stay 15 papers (a shared placeholder is not a shared
    abstract), and no page shows the placeholder as the paper's abstract."""
    placeholders = re.findall(r"^@\w+\{([^,]+),(?:(?!^@).)*?Abstract\s*=\s*\{Not Available\}",
                              (REAL / "jabref-groups.bib").read_text(encoding="utf-8"), re.M | re.S)
    assert len(placeholders) == 15
    found, _out, err = _import(project, "jabref-groups.bib")
    owner = {s.key: p.slug for p in found.values() for s in p.sources}
    assert len({owner[key] for key in placeholders}) == 15
    assert not any("not available" in p.abstract.lower() for p in found.values())
    assert "field 'abstract' left out: 'Not Available' is a placeholder, not an abstract" in err


def test_jats_in_a_crossref_abstract_is_text_for_readers(project):
    found, _out, _err = _import(project, "manubot-pandoc-bibliography.json")
    scihub = next(p for p in found.values() if p.doi == "10.7554/elife.32822")
    assert scihub.abstract.startswith("The website Sci-Hub enables users to download PDF versions")
    assert scihub.abstract.endswith("may become unsustainable.") and "<" not in scihub.abstract
    run_litsite(project, "build", "--no-search", check=True)
    page = (project / "_site" / "papers" / f"{scihub.slug}.html").read_text(encoding="utf-8")
    assert "jats" not in page


def test_from_names_the_format_whatever_the_file_is_called(project):
    """A Jekyll page and a BibTeX export saved under names that say nothing (`.txt`): `--from`
    reads them as what they are; without it they are taken for listing dumps."""
    source = REAL / "jekyll-publications" / "06-GNNAdvisor-2020.md"
    shutil.copy(source, project / "gnnadvisor.txt")
    shutil.copy(REAL / "dblp-crossref.bib", project / "dblp.txt")
    guessed = run_litsite(project, "import", "--dry-run", "gnnadvisor.txt")
    assert "Markdown collection" not in guessed.stdout
    jekyll = run_litsite(project, "import", "--from", "jekyll", "gnnadvisor.txt")
    assert jekyll.returncode == 0 and "gnnadvisor.txt: 1 records (Markdown collection)" in jekyll.stdout
    bib = run_litsite(project, "import", "--from", "bibtex", "dblp.txt")
    assert bib.returncode == 0 and "dblp.txt: 3 records (BibTeX)" in bib.stdout, bib.stdout + bib.stderr
    titles = {p.title for p in load_valid_papers(project / "content" / "papers")}
    assert "GNNAdvisor: An Efficient Runtime System for GNN Acceleration on GPUs" in titles


def test_a_hugo_collection_of_page_bundles_is_read_from_its_subfolders(project):
    bundles = project / "publication"
    for name in ("06-GNNAdvisor-2020.md", "05-ICML-2020.md"):
        (bundles / name.removesuffix(".md")).mkdir(parents=True)
        shutil.copy(REAL / "jekyll-publications" / name, bundles / name.removesuffix(".md") / "index.md")
    (bundles / "_index.md").write_text("---\ntitle: Publications\n---\n", encoding="utf-8")  # Hugo's section page
    result = run_litsite(project, "import", "publication")
    assert result.returncode == 0 and "2 new" in result.stdout, result.stdout + result.stderr


BIBTEX = sorted(p.name for p in REAL.glob("*.bib"))


@pytest.mark.parametrize("name", BIBTEX)
def test_a_bib_read_in_parts_on_workers_gives_what_one_read_gives(monkeypatch, name):
    """A large .bib is read in parts by forked workers (bibtex._parse_in_parts). Every real
    fixture, read that way with the size threshold lowered so it applies, gives the records and
    problems (line numbers included) of one read; so does each file twice over, where every key
    is in both halves (duplicates: read whole), and a file with `@string` or `crossref` is read
    whole without being split at all."""
    import os

    from generator.sources import bibtex

    if (os.cpu_count() or 1) < 2:
        pytest.skip("reading in parts needs two CPUs")
    text = (REAL / name).read_text(encoding="utf-8")
    one_read = bibtex.parse_bibtex(text, name)
    doubled_read = bibtex.parse_bibtex(text + "\n" + text, name)
    monkeypatch.setattr(bibtex, "PARALLEL_FROM", 1)
    assert bibtex.parse_bibtex(text, name) == one_read
    assert bibtex.parse_bibtex(text + "\n" + text, name) == doubled_read
    assert bibtex._parse_in_parts(bibtex.repair(text + "\n" + text)[0], name) is None  # every key twice
    parts = bibtex._parse_in_parts(bibtex.repair(text)[0], name)
    whole_only = re.search(r"@\s*string\b|crossref\s*=|xdata\s*=", text, re.IGNORECASE)
    if whole_only:
        assert parts is None
    elif parts is not None:  # a file with a fault bibtexparser sets aside is read whole as well
        assert len(parts) >= 2 and sum(len(p.records) for p in parts) == len(one_read[0])


def test_large_real_exports_are_read_in_parts(monkeypatch):
    """The split path is taken (the test above would pass if it never were)."""
    import os

    from generator.sources import bibtex

    if (os.cpu_count() or 1) < 2:
        pytest.skip("reading in parts needs two CPUs")
    monkeypatch.setattr(bibtex, "PARALLEL_FROM", 1)
    split = [name for name in BIBTEX
             if bibtex._parse_in_parts(bibtex.repair((REAL / name).read_text(encoding="utf-8"))[0], name)]
    assert {"jabref-groups.bib", "jabref-authors.bib", "zotero-bbt-library.bib"} <= set(split)
