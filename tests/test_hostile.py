"""The hostile corpus (tests/fixtures/hostile/cases.yaml): handled correctly, or a clear error."""
from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from generator.content.load import load_papers
from generator.content.slugs import is_safe_slug

from conftest import REPO, run_litsite, snapshot

HOSTILE = REPO / "tests" / "fixtures" / "hostile"
CASES = yaml.safe_load((HOSTILE / "cases.yaml").read_text(encoding="utf-8"))


def outside_outputs(project: Path) -> dict[str, bytes]:
    """Every file of the project except the three folders litsite may write to, and what a build
    keeps beside _site/ (its manifest, lock and caches: build/manifest.py, lock.py, caches.py, and
    the search shards, search/shards.py)."""
    beside = ("._site.manifest.json", "._site.lock", "._site.papers.cache", "._site.related.cache",
              "._site.words.cache", "._site.documents.cache", "._site.search.cache")
    return {k: v for k, v in snapshot(project).items() if k.split("/")[0] not in ("content", "_site", "dist", *beside)}


def assert_clean_error(result, expected: str, code: int = 2):
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    output = result.stdout + result.stderr
    assert expected.removeprefix("error: ") in output, output


@pytest.mark.parametrize("name", sorted(CASES["dumps"]))
def test_hostile_dumps(project, name):
    case = CASES["dumps"][name]
    source = project / name
    shutil.copy(HOSTILE / name, source)
    before = outside_outputs(project)
    result = run_litsite(project, "import", name)
    if case["import"] != "ok":
        assert_clean_error(result, case["import"])
        assert re.match(rf"^{re.escape(name)}(:\d+)?: error: ", result.stderr), result.stderr
        assert list((project / "content" / "papers").iterdir()) == []
        return
    assert result.returncode == 0, result.stderr
    papers, problems = load_papers(project / "content" / "papers")
    assert not problems
    titles = {p.title for p in papers}
    for title in case["titles"]:
        assert title in titles, (title, titles)
    for paper in papers:
        assert is_safe_slug(paper.slug) and paper.path.parent == project / "content" / "papers"
    assert len({p.slug.lower() for p in papers}) == len(papers)
    assert run_litsite(project, "check").returncode == 0
    build = run_litsite(project, "build")
    assert build.returncode == 0, build.stderr
    assert outside_outputs(project) == before  # nothing written outside content/, _site/, dist/


@pytest.mark.parametrize("name", sorted(CASES["papers"]))
def test_hostile_paper_files(project, name):
    case = CASES["papers"][name]
    shutil.copy(HOSTILE / name, project / "content" / "papers" / name)
    check = run_litsite(project, "check")
    assert_clean_error(check, case["check"], code=1)
    assert re.search(rf"content/papers/{re.escape(name)}:\d+:\d+: error:", check.stdout), check.stdout
    build = run_litsite(project, "build")
    assert_clean_error(build, case["build"])
    assert not (project / "_site").exists()
    assert not Path("/tmp/litsite-pwned").exists()


def test_a_5_mb_single_line_is_refused_with_its_line(project):
    (project / "huge.txt").write_text("Title\n" + "word " * 1_000_000 + "\n", encoding="utf-8")
    result = run_litsite(project, "import", "huge.txt")
    assert_clean_error(result, "line is 5,000,000 characters long")
    assert result.stderr.startswith("huge.txt:2: error:")


def test_a_100000_line_dump_is_imported(project):
    lines = []
    for i in range(50_000):
        n = i % 2000  # 2,000 distinct papers, each seen 25 times
        lines += [f"Paper Number {n} on Graph Learning", f"We study problem {n} of graph learning. "
                  f"Our method number {n} improves link prediction. Results hold on many benchmarks."]
    (project / "big.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_litsite(project, "import", "big.txt")
    assert result.returncode == 0, result.stderr
    assert "2000 new, 0 changed" in result.stdout
    papers, _ = load_papers(project / "content" / "papers")
    assert len(papers) == 2000 and all(len(p.sources) == 25 for p in papers)


def test_a_paper_with_10000_tags_is_an_error_with_its_line(project):
    tags = "\n".join(f"  - tag-{i}" for i in range(10_000))
    (project / "content" / "papers" / "many-tags.md").write_text(f"---\ntitle: Many\ntags:\n{tags}\n---\n")
    result = run_litsite(project, "check")
    assert_clean_error(result, "'tags' has 10000 entries; at most 50 are allowed", code=1)
    assert "content/papers/many-tags.md:3:1: error:" in result.stdout


def test_file_names_that_differ_only_in_case(project):
    (project / "content" / "papers" / "Same-Name.md").write_text("---\ntitle: Upper\n---\n")
    (project / "content" / "papers" / "same-name.md").write_text("---\ntitle: Lower\n---\n")
    result = run_litsite(project, "check")
    assert_clean_error(result, "file name 'Same-Name.md' is not a valid slug", code=1)


def test_dot_dot_as_slug_file_name_and_source_name(project):
    result = run_litsite(project, "explain", "../../etc/passwd")
    assert_clean_error(result, "no paper with slug '../../etc/passwd'")
    result = run_litsite(project, "new", "../../etc/passwd", check=True)
    assert result.stdout.strip() == "content/papers/etc-passwd.md"
    result = run_litsite(project, "import", "../../../../../../etc/passwd")
    assert_clean_error(result, "matches no known dump shape")
    (project / "escape.txt").write_text("A Title\nAn abstract that is long enough. It has two sentences.\n")
    run_litsite(project, "import", str((project / "escape.txt").resolve()), check=True)
    paper = next(p for p in load_papers(project / "content" / "papers")[0] if p.title == "A Title")
    assert paper.sources[0].file == "escape.txt"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    """One site built from every importable hostile dump."""
    from conftest import REPO as repo

    root = tmp_path_factory.mktemp("hostile") / "site"
    root.mkdir()
    for name in ("templates", "static"):
        shutil.copytree(repo / name, root / name)
    for name in ("site.yaml", "tags.yaml"):
        shutil.copy(repo / name, root / name)
    (root / "content" / "papers").mkdir(parents=True)
    dumps = [n for n, c in CASES["dumps"].items() if c["import"] == "ok"]
    for name in dumps:
        shutil.copy(HOSTILE / name, root / name)
    run_litsite(root, "import", *dumps, check=True)
    run_litsite(root, "build", check=True)
    return root / "_site"


def test_every_output_escapes_for_its_context(hostile_site):
    titles = [t for c in CASES["dumps"].values() if c["import"] == "ok" for t in c["titles"]]
    data = json.loads((hostile_site / "papers.json").read_text())
    assert set(titles) <= {p["title"] for p in data["papers"]}
    feed = ET.parse(hostile_site / "feed.xml").getroot()
    feed_titles = {e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")}
    assert "</title><script>window.__pwned=1</script>" in feed_titles
    ET.parse(hostile_site / "sitemap.xml")
    bib = (hostile_site / "papers.bib").read_text()
    assert r"title = {{\{\{ 7*7 \}\} and \{\% raw \%\} in a Title}}" in bib
    index = (hostile_site / "search-index.js").read_text()
    assert "</script>" not in index and "\\u003c/title>\\u003cscript>" in index
    for page in hostile_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script>window.__pwned" not in html, page
        assert "onerror=" not in html.replace("onerror=&#34;", "").replace("onerror=&quot;", "").replace('onerror=\\"', ""), page
        assert "49 and" not in html, page
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S):
            assert "<" not in block and json.loads(block), page  # data only: no tag can open in it


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["file", "http"])
def test_hostile_pages_run_no_script_in_the_browser(hostile_site, watch_page, scheme):
    from conftest import StaticServer

    server = StaticServer(hostile_site) if scheme == "http" else None
    base = server.url if server else hostile_site.resolve().as_uri() + "/"
    try:
        data = json.loads((hostile_site / "papers.json").read_text())
        watch = watch_page()
        page = watch.page
        page.add_init_script("Object.defineProperty(window, '__pwned', {set(v) { window.__trap = v; }, get() { return window.__trap; }})")
        for paper in data["papers"]:
            page.goto(base + paper["url"])
            assert page.evaluate("window.__trap") is None, paper["url"]
            assert page.text_content("h1") == paper["title"]
            assert page.text_content("p.abstract") == paper["abstract"]
            assert paper["title"] in page.text_content(".formatted-citation")
        for query in ["script", "pwned", "7*7", "onerror"]:
            page.goto(base + "search.html?q=" + query)
            page.wait_for_selector("#search-status[data-total]")
            assert page.evaluate("window.__trap") is None
        for url in ["index.html", "list/title.html", "attention.html", "tags.html"]:
            page.goto(base + url)
            assert page.evaluate("window.__trap") is None
        assert watch.errors == []
    finally:
        if server:
            server.close()
