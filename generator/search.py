"""Search: Pagefind for the served site, and a compact fallback index for file://.

Pagefind indexes the written HTML in one call of its binary (per-record API calls cost
100 ms each in its Python wrapper). The fallback index is a plain script file, loaded with
<script> (no fetch, no worker, no WASM), holding an inverted index over titles and
abstracts plus each paper's tags, topics and a short excerpt.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

from generator.errors import InputError
from generator.fsutil import atomic_write_text, swap_directory
from generator.site import Site, by_newest

FALLBACK_FILE = "search-index.js"
EXCERPT_CHARS = 180
# Words too common to help a search; the same list filters queries in search.js.
STOPWORDS = sorted(set("""a an and are as at be by for from has have in is it its of on or that the this
to was were which with we our can not but than then these those their been also into such via
""".split()))
_WORD = re.compile(r"[^\W_]+")


def tokens(text: str) -> list[str]:
    """Lowercase, accent-free words of two or more characters (search.js does the same)."""
    text = text.lower()
    if not text.isascii():  # ASCII has no accents to take off: most abstracts skip this, 10x faster
        text = unicodedata.normalize("NFD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return [w for w in _WORD.findall(text) if len(w) > 1]


def index_site(site: Site, folder: Path) -> list[str]:
    """Write both indexes into a built site folder; return notes for the build summary."""
    run = start_pagefind(site, folder)
    fallback = write_fallback_index(site, folder)  # while Pagefind works
    return search_summary(site, run.finish(), fallback)


def search_summary(site: Site, pagefind_bytes: int, fallback: int) -> list[str]:
    raw = sum(len(p.title.encode()) + len(p.abstract.encode()) for p in site.papers)
    return [f"search: pagefind {_size(pagefind_bytes)}, offline index {_size(fallback)} "
            f"({fallback / max(raw, 1):.0%} of the {_size(raw)} of titles and abstracts)"]


def _size(n: int) -> str:
    return f"{n / 1024:.0f} KiB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MiB"


class PagefindRun:
    """Pagefind indexing in a subprocess, so the build can go on with other work meanwhile."""

    def __init__(self, folder: Path, docs: list[str], background: bool = False):
        self.folder = folder
        self.bundle = folder / "pagefind"
        self.fresh = folder / ".pagefind-new"
        shutil.rmtree(self.fresh, ignore_errors=True)  # Pagefind never cleans its output folder
        # The glob spares Pagefind from reading every listing page only to skip it.
        glob = "{" + ",".join(["papers/*.html", *docs]) + "}"
        # In `serve` the index is refreshed while someone edits: at a lower CPU priority, an edit
        # re-rendered meanwhile does not wait behind it on a two-core machine.
        nice = ["nice", "-n", "10"] if background and shutil.which("nice") else []
        command = [*nice, sys.executable, "-m", "pagefind", "--site", str(folder), "--output-path", str(self.fresh),
                   "--glob", glob, "--keep-index-url", "--silent"]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def finish(self) -> int:
        """Wait, swap the new index in, and return its size in bytes."""
        out, err = self.process.communicate(timeout=1800)
        if self.process.returncode != 0:
            shutil.rmtree(self.fresh, ignore_errors=True)
            raise InputError(f"Pagefind failed: {(err or out).strip()[:500]}", self.folder)
        swap_directory(self.fresh, self.bundle)  # a served site never sees a half-written index
        return sum(f.stat().st_size for f in self.bundle.rglob("*") if f.is_file())

    def cancel(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.fresh, ignore_errors=True)


def start_pagefind(site: Site, folder: Path, background: bool = False) -> PagefindRun:
    """Index the paper and docs pages (the ones marked data-pagefind-body)."""
    return PagefindRun(folder, [d.output for d in site.docs], background)


def fallback_index(site: Site) -> dict:
    papers = sorted(site.papers, key=by_newest)  # empty queries list the newest first
    topics = [t.slug for t in site.config.topics]
    topic_id = {slug: i for i, slug in enumerate(topics)}
    tags = sorted(site.tag_counts)
    tag_id = {slug: i for i, slug in enumerate(tags)}
    in_title: dict[str, list[int]] = defaultdict(list)
    in_body: dict[str, list[int]] = defaultdict(list)
    stop = set(STOPWORDS)
    docs = []
    for n, paper in enumerate(papers):
        for word in sorted(set(tokens(paper.title)) - stop):
            in_title[word].append(n)
        for word in sorted(set(tokens(paper.abstract)) - stop):
            in_body[word].append(n)
        docs.append([
            paper.slug,
            paper.title,
            _excerpt(paper.abstract),
            [topic_id[t] for t in paper.topics if t in topic_id],
            [tag_id[t] for t in paper.tags if t in tag_id],
            1 if paper.title_is_derived else 0,
            paper.year or 0,
        ])
    words = sorted(set(in_title) | set(in_body))
    return {
        "v": 1,
        "stop": STOPWORDS,
        "topics": [[t.slug, t.title] for t in site.config.topics],
        "tags": tags,
        "words": " ".join(words),
        "title": [_postings(in_title.get(w, [])) for w in words],
        "body": [_postings(in_body.get(w, [])) for w in words],
        "docs": docs,
    }


def _excerpt(abstract: str) -> str:
    if len(abstract) <= EXCERPT_CHARS:
        return abstract
    return abstract[:EXCERPT_CHARS].rsplit(" ", 1)[0] + "…"


def _postings(ids: list[int]) -> str:
    """Ascending ids as base-36 gaps joined by '.', e.g. [3, 5, 40] -> '3.2.z'."""
    out, previous = [], 0
    for i in ids:
        out.append(_base36(i - previous))
        previous = i
    return ".".join(out)


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        n, r = divmod(n, 36)
        text = digits[r] + text
        if n == 0:
            return text


def write_fallback_index(site: Site, folder: Path) -> int:
    payload = json.dumps(fallback_index(site), ensure_ascii=False, separators=(",", ":"))
    # Inside a script file, '</script>' can't matter, but U+2028/2029 and '<!--' can: escape them.
    payload = payload.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    text = f"window.LITSITE_SEARCH={payload};\n"
    atomic_write_text(folder / FALLBACK_FILE, text)
    return len(text.encode("utf-8"))
