"""Pagefind: the search index of the served site, made by its binary from the written pages.

Pagefind indexes the written HTML in one call of its binary (per-record API calls cost
100 ms each in its Python wrapper), in a subprocess, while the build goes on with other work.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from generator.errors import SystemProblem
from generator.files import publish_modes, swap_directory
from generator.site import urls
from generator.site.model import Site
from generator.workers import die_with_parent, signals_held


def search_summary(site: Site, pagefind_bytes: int, fallback: int, meaning: int = 0) -> list[str]:
    raw = sum(len(p.title.encode()) + len(p.abstract.encode()) for p in site.papers)
    vectors = f", meaning vectors {_size(meaning)}" if meaning else ""
    return [f"search: pagefind {_size(pagefind_bytes)}, offline index {_size(fallback)} "
            f"({fallback / max(raw, 1):.0%} of the {_size(raw)} of titles and abstracts){vectors}"]


def _size(n: int) -> str:
    return f"{n / 1024:.0f} KiB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MiB"


class PagefindRun:
    """Pagefind indexing in a subprocess, so the build can go on with other work meanwhile."""

    def __init__(self, folder: Path, docs: list[str], expected: int, background: bool = False):
        self.folder = folder
        self.expected = expected  # pages marked for indexing: the count its output must show
        self.bundle = folder / urls.PAGEFIND
        self.fresh = folder / ".pagefind-new"
        shutil.rmtree(self.fresh, ignore_errors=True)  # Pagefind never cleans its output folder
        # The glob spares Pagefind from reading every listing page only to skip it.
        glob = "{" + ",".join([f"{urls.PAPERS_DIR}/*.html", *docs]) + "}"
        # In `serve` the index is refreshed while someone edits: at a lower CPU priority, an edit
        # re-rendered meanwhile does not wait behind it on a two-core machine.
        nice = ["nice", "-n", "10"] if background and shutil.which("nice") else []
        command = [*nice, sys.executable, "-m", "pagefind", "--site", str(folder), "--output-path", str(self.fresh),
                   "--glob", glob, "--keep-index-url", "--silent"]
        parent = os.getpid()
        # Pagefind dies with this process: a build killed with SIGKILL leaves no indexer behind.
        with signals_held():  # preexec_fn runs Python's at-fork hooks in this process too
            self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                            preexec_fn=lambda: die_with_parent(parent))

    def finish(self) -> int:
        """Wait, check what Pagefind wrote, swap the new index in, and return its size in bytes.

        Its exit code is not enough: on a full disk it has been seen to exit 0 after writing
        empty files. An index that fails the check is dropped and the previous one stays."""
        out, err = self.process.communicate(timeout=1800)
        try:
            if self.process.returncode != 0:
                raise SystemProblem(f"Pagefind failed: {(err or out).strip()[:500]}", self.folder)
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


def start_pagefind(site: Site, folder: Path, background: bool = False) -> PagefindRun:
    """Index the paper and docs pages (the ones marked data-pagefind-body)."""
    return PagefindRun(folder, [d.output for d in site.docs], len(site.papers) + len(site.docs), background)


def bundle_fault(bundle: Path, expected: int) -> str:
    """What is wrong with a Pagefind bundle, or '' when it is whole: its entry file and script
    present, no empty file, and one page and one fragment for every page meant to be indexed."""
    try:
        if (bundle / "pagefind.js").stat().st_size == 0:
            return "pagefind.js is empty"
        entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
        pages = sum(int(language["page_count"]) for language in entry["languages"].values())
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return f"no readable entry file: {exc}"
    empty = [f for f in bundle.rglob("*") if f.is_file() and f.stat().st_size == 0]
    if empty:
        return f"{len(empty)} empty files, e.g. {empty[0].relative_to(bundle)}"
    fragments = sum(1 for _ in (bundle / "fragment").glob("*.pf_fragment"))
    if pages != expected or fragments != expected:
        return f"{pages} pages and {fragments} fragments for {expected} pages to index"
    return ""
