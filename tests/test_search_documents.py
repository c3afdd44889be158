"""Pagefind reads search documents (each searchable page cut to its <main>, without the parts
marked search:skip), not the pages: the index it makes must be the one the pages give."""
from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from generator.search import pagefind
from generator.search.pagefind import SKIP_CLOSE, SKIP_OPEN, search_document


def fragments(bundle: Path) -> dict[str, dict]:
    """Every page Pagefind indexed, by URL: its text, word count, filters, meta, sort keys and
    anchors, as Pagefind stores them (gzip, then a signature, then JSON)."""
    found = {}
    for path in (bundle / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        fragment = json.loads(data[len(b"pagefind_dcd"):])
        found[fragment["url"]] = fragment
    return found


def test_pagefind_indexes_the_search_documents_as_it_indexed_the_pages(seed_site, tmp_path):
    """The seed site's bundle (made from search documents) against Pagefind run, as before,
    on the written pages themselves: the same pages, and each page's fragment the same."""
    pages = sorted(p.relative_to(seed_site).as_posix() for p in (seed_site / "papers").glob("*.html"))
    docs = [p.relative_to(seed_site).as_posix() for p in seed_site.rglob("*.html")
            if "data-pagefind-body" in p.read_text(encoding="utf-8") and not p.is_relative_to(seed_site / "papers")]
    glob = "{" + ",".join(pages + docs) + "}"
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(seed_site), "--output-path", str(tmp_path / "pf"),
                    "--glob", glob, "--keep-index-url", "--silent"], check=True)
    from_pages, from_documents = fragments(tmp_path / "pf"), fragments(seed_site / "pagefind")
    assert len(from_pages) == len(pages) + len(docs) and len(pages) > 200 and docs
    assert from_documents.keys() == from_pages.keys()
    for url, fragment in from_pages.items():
        assert from_documents[url] == fragment, url
    some = from_pages[f"/{pages[0]}"]
    assert some["filters"].get("topic") and some["meta"]["title"] and some["anchors"]  # there is something to compare


def test_a_search_document_is_the_main_element_without_what_is_marked_skip():
    page = ('<!doctype html>\n<html lang="de"><head><title>T</title></head><body><nav>menu</nav>'
            f'<main data-pagefind-body><h1>Title</h1>{SKIP_OPEN}<nav data-pagefind-ignore>crumbs</nav>{SKIP_CLOSE}'
            f'<p>Abstract</p>{SKIP_OPEN}<section data-pagefind-ignore>cite</section>{SKIP_CLOSE}</main>'
            '<footer>foot</footer></body></html>')
    document = search_document(page)
    assert '<html lang="de">' in document and "<h1>Title</h1>" in document and "<p>Abstract</p>" in document
    assert not any(word in document for word in ("menu", "crumbs", "cite", "foot", "<title>"))
    unclosed = page.replace(SKIP_CLOSE, "", 1)  # a marker left open skips nothing
    assert "crumbs" in search_document(unclosed)
    assert search_document("<html><body>no main</body></html>") == "<html><body>no main</body></html>"


def test_the_documents_folder_is_removed_and_a_killed_builds_is_cleaned_up(seed_site):
    assert not [p for p in Path("/dev/shm").glob(f"litsite-search-{os.getpid()}-*")]  # the seed build left none
    probe = pagefind.documents_folder()
    parent = probe.parent
    probe.rmdir()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(gone.stdout)  # a process that has ended
    stale = parent / f"litsite-search-{dead_pid}-left"
    stale.mkdir(exist_ok=True)
    (stale / "page.html").write_text("left by a killed build")
    elsewhere = Path(tempfile.gettempdir()) / f"litsite-search-{dead_pid}-other"  # a build that had no room in memory
    elsewhere.mkdir(exist_ok=True)
    mine = pagefind.documents_folder()
    try:
        assert not stale.exists() and not elsewhere.exists()
        assert mine.is_dir() and oct(mine.stat().st_mode & 0o777) == "0o700"
    finally:
        mine.rmdir()


def test_documents_go_to_the_temp_folder_when_memory_has_no_room_for_them():
    """A container's /dev/shm may be 64 MB: a site whose pages would not fit is given a folder
    in the system's temp folder instead, not a build that fails on a full /dev/shm."""
    roomy, cramped = pagefind.documents_folder(0), pagefind.documents_folder(10**18)
    try:
        assert cramped.parent == Path(tempfile.gettempdir())
        assert roomy.parent == (Path("/dev/shm") if pagefind._free(Path("/dev/shm")) else Path(tempfile.gettempdir()))
    finally:
        roomy.rmdir()
        cramped.rmdir()
