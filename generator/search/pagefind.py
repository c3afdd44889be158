"""Pagefind: the search index of the served site, made by its binary from the written pages.

Pagefind indexes the written HTML with its binary (per-record API calls cost 100 ms each in its
Python wrapper), in shards merged into one bundle (search/shards.py: an edit re-indexes one
shard), in a subprocess, while the build goes on with other work.
It reads each searchable page cut to what it indexes (search_document), from a folder in
memory: a paper page is 20 KB, of which Pagefind indexes 3 KB and parsed the rest only to
skip it (10,000 papers: 11.9 s for the pages, 8.4 s for their search documents).
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from generator.errors import SystemProblem
from generator.files import publish_modes, swap_directory
from generator.search.bundles import bundle_fault
from generator.search.shards import KEY_VARIABLE, NEEDS_EVERY_DOCUMENT, PAGES_FILE, SHARD_PAGES, document_digest, plan_shards
from generator.site import urls
from generator.site.model import Site
from generator.workers import ForkedJobs, die_with_parent, fork_workers, process_running, signals_held

Known = dict[str, tuple[str, str]]  # path -> (page key, search document digest)

# Templates mark the parts of a searchable page that are all data-pagefind-ignore with these
# comments; the search document leaves them out. tests/test_search_documents.py proves Pagefind makes
# the same fragments (text, filters, meta, anchors) from the documents as from the pages.
SKIP_OPEN, SKIP_CLOSE = "<!--search:skip-->", "<!--/search:skip-->"


def search_summary(site: Site, pagefind_bytes: int, fallback: int, meaning: int = 0) -> list[str]:
    raw = sum(len(p.title.encode()) + len(p.abstract.encode()) for p in site.papers)
    vectors = f", meaning vectors {_size(meaning)}" if meaning else ""
    return [f"search: pagefind {_size(pagefind_bytes)}, offline index {_size(fallback)} "
            f"({fallback / max(raw, 1):.0%} of the {_size(raw)} of titles and abstracts){vectors}"]


def _size(n: int) -> str:
    return f"{n / 1024:.0f} KiB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MiB"


class PagefindRun:
    """Pagefind indexing in a subprocess, so the build can go on with other work meanwhile."""

    def __init__(self, folder: Path, paths: list[str], shards: Path, key: bytes | None, background: bool = False,
                 page_keys: dict[str, str] | None = None, known: Known | None = None):
        """`shards`: where each shard's bundle is kept between runs (beside the site); `key`:
        this user's cache key, which signs them (no key: none is reused). `page_keys`: each
        page's key (build/pagekeys.py); `known`: path -> (page key, document digest) from the
        last build, so that only pages rendered again and the shards that cannot be reused have
        their search documents written (search/shards.py). `self.known` is this run's."""
        self.folder, self.paths, self.shards, self.key, self.background = folder, paths, shards, key, background
        self.expected = len(paths)  # pages marked for indexing: the count its output must show
        self.bundle = folder / urls.PAGEFIND
        self.fresh = folder / ".pagefind-new"
        shutil.rmtree(self.fresh, ignore_errors=True)
        self.documents = documents_folder(sum((folder / path).stat().st_size for path in paths))
        self.known: Known = {}
        self.page_keys = page_keys or {}
        try:
            self._write_documents(self.page_keys, known or {})
            self._start()
        except BaseException:
            shutil.rmtree(self.documents, ignore_errors=True)
            raise

    def _write_documents(self, page_keys: dict[str, str], known: Known) -> None:
        """Documents of pages whose key is not the one `known` names first (their digests are
        needed), then those of the shards that cannot be reused; then PAGES_FILE."""
        parallel = not self.background  # `serve` (background) has threads and must not fork
        same = {path for path in self.paths if path in page_keys and known.get(path, ("",))[0] == page_keys[path]}
        digests = write_search_documents(self.folder, [p for p in self.paths if p not in same], self.documents, parallel)
        digests.update({path: known[path][1] for path in same})
        if self.key:
            planned = plan_shards(sorted(self.paths), self.shards, self.key, SHARD_PAGES, digests)
            wanted = [path for shard in planned if not shard.reusable for path in shard.paths if path in same]
            write_search_documents(self.folder, wanted, self.documents, parallel)
        else:  # nothing can be reused: every document
            write_search_documents(self.folder, sorted(same), self.documents, parallel)
        (self.documents / PAGES_FILE).write_text(json.dumps(digests, ensure_ascii=False), encoding="utf-8")
        self.known = {path: (page_keys[path], digests[path]) for path in self.paths if path in page_keys}

    def _start(self) -> None:
        # In `serve` the index is refreshed while someone edits: at a lower CPU priority, an edit
        # re-rendered meanwhile does not wait behind it on a two-core machine.
        nice = ["nice", "-n", "10"] if self.background and shutil.which("nice") else []
        command = [*nice, sys.executable, "-m", "generator.search.shards", str(self.documents), str(self.shards),
                   str(self.fresh), str(SHARD_PAGES)]
        parent = os.getpid()
        # The indexer (and the Pagefind it runs) dies with this process: a build killed with
        # SIGKILL leaves none behind.
        with signals_held():  # preexec_fn runs Python's at-fork hooks in this process too
            self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                            env={**os.environ, KEY_VARIABLE: (self.key or b"").hex()},
                                            preexec_fn=lambda: die_with_parent(parent))

    def finish(self) -> int:
        """Wait, check what Pagefind wrote, swap the new index in, and return its size in bytes.

        Its exit code is not enough: on a full disk it has been seen to exit 0 after writing
        empty files. An index that fails the check is dropped and the previous one stays."""
        try:
            out, err = self.process.communicate(timeout=1800)
            if self.process.returncode == NEEDS_EVERY_DOCUMENT:  # rare: see search/shards.py
                shutil.rmtree(self.fresh, ignore_errors=True)
                self._write_documents(self.page_keys, {})  # every document, the keys still recorded
                self._start()
                out, err = self.process.communicate(timeout=1800)
        finally:
            shutil.rmtree(self.documents, ignore_errors=True)
        try:
            if self.process.returncode != 0:
                said = (err or out).strip()[:500] or f"exit code {self.process.returncode}"
                raise SystemProblem(f"the search index was not made: {said}; the previous search index stays",
                                    self.folder, hint="is the disk full? run again once there is space")
            fault = bundle_fault(self.fresh, self.expected)
            if fault:
                raise SystemProblem(f"Pagefind's index is incomplete ({fault}); the previous search index stays",
                                    self.fresh, hint="is the disk full? run again once there is space")
        except BaseException:
            shutil.rmtree(self.fresh, ignore_errors=True)
            raise
        publish_modes(self.fresh)
        swap_directory(self.fresh, self.bundle)  # a served site never sees a half-written index
        return sum(f.stat().st_size for f in self.bundle.rglob("*") if f.is_file())

    def cancel(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.fresh, ignore_errors=True)
        shutil.rmtree(self.documents, ignore_errors=True)


def start_pagefind(site: Site, folder: Path, shards: Path, key: bytes | None, background: bool = False,
                   page_keys: dict[str, str] | None = None, known: Known | None = None) -> PagefindRun:
    """Index the paper and docs pages (the ones marked data-pagefind-body)."""
    paths = [urls.paper(p.slug) for p in site.papers] + [d.output for d in site.docs]
    return PagefindRun(folder, paths, shards, key, background, page_keys, known)


def search_document(html: str) -> str:
    """What Pagefind reads of a page: its <html> tag (the language) and its <main> element (the
    one marked data-pagefind-body), without the spans between SKIP_OPEN and SKIP_CLOSE. Content
    cannot forge a marker or close <main>: it is escaped (raw HTML is off unless a site turns it on)."""
    start, end = html.find("<main"), html.find("</main>")
    if start < 0 or end < start:
        return html  # not a page of ours: Pagefind reads it whole
    root = html[html.find("<html"):html.find(">", html.find("<html")) + 1] or "<html>"
    body, kept, at = html[start:end + len("</main>")], [], 0
    while (opened := body.find(SKIP_OPEN, at)) >= 0:
        closed, reopened = body.find(SKIP_CLOSE, opened), body.find(SKIP_OPEN, opened + len(SKIP_OPEN))
        if closed < 0 or 0 <= reopened < closed:
            break  # a marker left open (a template edited by hand) skips nothing: Pagefind ignores what it must
        kept.append(body[at:opened])
        at = closed + len(SKIP_CLOSE)
    kept.append(body[at:])
    return f'<!doctype html>\n{root}<head><meta charset="utf-8"></head><body>{"".join(kept)}</body></html>\n'


PARALLEL_FROM = 2000  # pages; below this, forking workers costs more than it saves
_PREFIX = "litsite-search-"


def documents_folder(room: int = 0) -> Path:
    """A private folder in memory (/dev/shm) when there is one with `room` bytes free (the pages'
    own size: their documents are smaller; a container's /dev/shm may be 64 MB), else in the
    system's temp folder; named with this process's id, so one left by a killed build is
    removed by the next."""
    shm, temp = Path("/dev/shm"), Path(tempfile.gettempdir())
    parent = shm if _free(shm) > room else temp
    for stale in [*shm.glob(f"{_PREFIX}*"), *temp.glob(f"{_PREFIX}*")]:
        with contextlib.suppress(OSError, ValueError):
            owner = int(stale.name.removeprefix(_PREFIX).split("-")[0])
            if stale.stat().st_uid == os.getuid() and owner != os.getpid() and not process_running(owner):
                shutil.rmtree(stale, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-", dir=parent))


def _free(folder: Path) -> int:
    """Bytes free for this user in `folder`, or 0 when it cannot be written."""
    try:
        if not (folder.is_dir() and os.access(folder, os.W_OK)):
            return 0
        stats = os.statvfs(folder)
    except OSError:
        return 0
    return stats.f_bavail * stats.f_frsize


def write_search_documents(site: Path, paths: list[str], target: Path, parallel: bool = True) -> dict[str, str]:
    """Each page's search document at the same path under `target`, so every result URL is the
    page's; returns each one's digest (search/shards.py)."""
    for parent in {(target / path).parent for path in paths}:
        parent.mkdir(parents=True, exist_ok=True)
    workers = fork_workers(parallel, len(paths), PARALLEL_FROM)
    if not workers:
        return _write_documents((site, paths, target), (0, len(paths)))
    step = -(-len(paths) // (workers * 4))
    bounds = [(i, min(i + step, len(paths))) for i in range(0, len(paths), step)]
    digests: dict[str, str] = {}
    with ForkedJobs(_write_documents, (site, paths, target), bounds, workers) as jobs:
        for part in jobs.results():
            digests.update(part)
    return digests


def _write_documents(shared: tuple[Path, list[str], Path], bounds: tuple[int, int]) -> dict[str, str]:
    site, paths, target = shared
    digests = {}
    for path in paths[bounds[0]:bounds[1]]:
        document = search_document((site / path).read_text(encoding="utf-8")).encode("utf-8")
        (target / path).write_bytes(document)
        digests[path] = document_digest(document)
    return digests
