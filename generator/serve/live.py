"""The site as `serve` keeps it between edits: re-render exactly the pages whose key changed.

After an edit the site is re-planned in memory, each page's key (build/pagekeys.py) is compared
with the one it had, and only pages whose key changed are rendered and written; pages that no
longer exist are removed. Template, static or site.yaml changes go through a full build.
"""
from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from generator.analysis.related import RelatedIndex
from generator.analysis.text import reading_terms
from generator.build.manifest import forget
from generator.build.pagekeys import Keys, build_key, papers_shown
from generator.build.pipeline import Built, build
from generator.build.writer import RenderJob, write_pages
from generator.content.config import SiteConfig
from generator.content.paper import Paper
from generator.content.readinglist import checked_against
from generator.content.validate import read_paper
from generator.errors import InputError
from generator.site import urls
from generator.site.model import Site
from generator.site.pages import Page
from generator.site.plan import PlanMemo, home_page, in_site_order, paper_page, plan_collection_pages
from generator.workers import die_with_parent, signals_held


@dataclass
class Update:
    rendered: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    full: bool = False
    early: list[str] = field(default_factory=list)  # written (and announced) before the rest

    def still_to_reload(self) -> list[str]:
        """Pages a browser has not been told about yet: a tab reloaded early must not reload twice."""
        return [p for p in self.rendered + self.removed if p not in set(self.early)]

    def describe(self) -> str:
        what = "full rebuild" if self.full else f"{len(self.rendered)} pages re-rendered"
        if self.removed:
            what += f", {len(self.removed)} removed"
        return f"{what} in {self.seconds * 1000:.0f} ms"


class RefreshInterrupted(Exception):
    """An edit came in while the derived pages were refreshed: the refresh stops, to run again
    once edits settle (on two cores, it made each edit wait for the CPU and for Python's lock)."""


class LiveSite:
    """The site as `serve` keeps it in memory between edits."""

    def __init__(self, config: SiteConfig, output: Path, search: bool = True):
        self.config, self.output, self.search = config, output, search
        self.child: subprocess.Popen | None = None  # the refresh of derived pages (serve/derived.py)
        self.changes_seen = 0  # counted by the watcher: a refresh stops when it moves
        self._refreshing_after = 0
        # Edits (the rebuild thread) and the refresh of derived pages (its own thread) take turns.
        self.lock = threading.RLock()
        self.full_build()

    def full_build(self) -> Built:
        with self.lock:
            return self._full_build()

    def _full_build(self) -> Built:
        built = build(self.config, self.output, search=self.search, parallel=False)  # serve has threads
        self.renderer = built.renderer
        # serve ranks each edited paper against the fitted model: fitted here when the build took its
        # neighbours from the cache
        self.related = built.related or RelatedIndex(built.site.papers, document=reading_terms)
        self.neighbours = built.neighbours
        self.keys = Keys(build_key(self.config.templates_dir, built.site.chrome()))
        # The build's collection pages planned again, into the memo the first edit then draws on
        # (a new config: a new memo).
        self.memo = PlanMemo()
        others = [home_page(built.site)] + plan_collection_pages(built.site, self.memo)
        papers = [p for p in built.pages if p.template == "paper.html"]
        overview = next(p for p in built.pages if p.template == "overview.html")
        self._adopt(built.site, in_site_order(others, papers, overview))
        return built

    def rebuild_all(self, config: SiteConfig) -> Update:
        """A full build with a new config, without the search index (refreshed later)."""
        started = time.perf_counter()
        with self.lock:
            self.config = config
            search, self.search = self.search, False
            try:
                self._full_build()
            finally:
                self.search = search
        return Update(full=True, seconds=time.perf_counter() - started)

    def _adopt(self, site: Site, pages: list[Page]) -> None:
        self.site, self.pages = site, pages
        self.page_keys = {p.path: self.keys.key(p) for p in pages}
        self.keyed_with = self.keys.build
        self.shown = {p.path: papers_shown(p) for p in pages if p.template == "paper.html"}

    def update_papers(self, changed: list[Path], early: Callable[[list[str]], None] | None = None) -> Update:
        """Re-read the given paper files (deleted ones drop out) and write what changed.

        With `early`, the edited papers' own pages are written first and passed to it (`serve`
        reloads a browser showing one of them at once; lists that show the papers follow)."""
        with self.lock:
            return self._update_papers(changed, early)

    def _update_papers(self, changed: list[Path], early: Callable[[list[str]], None] | None) -> Update:
        started = time.perf_counter()
        changes: dict[str, Paper | None] = {}
        edited: list[Paper] = []
        for path in changed:
            if path.exists():
                paper = read_paper(path, rules=self.config.read_rules)  # InputError propagates: the live site stays as it was
                changes[paper.slug] = paper
                edited.append(paper)
            else:
                changes.setdefault(path.stem, None)
        gone = {slug for slug, paper in changes.items() if paper is None and slug in self.site.by_slug}
        neighbours = dict(self.neighbours)
        if gone:
            neighbours = {s: [o for o in others if o not in gone] for s, others in neighbours.items() if s not in gone}
        neighbours.update(self.related.neighbours_of(edited))
        # A list naming a paper just deleted or renamed: the overlay says so, the site stays.
        lists = checked_against(self.site.lists, (self.site.by_slug.keys() | {p.slug for p in edited}) - gone)
        site = self.site.edited(changes, lists)
        forget(self.output)  # pages change in place now: the next build must not trust the manifest
        chrome = site.chrome()
        if chrome != self.renderer.chrome:
            self.renderer.use_chrome(chrome)
            self.keys = Keys(build_key(self.config.templates_dir, chrome))
        written: set[str] = set()
        if early is not None and edited:
            first = [paper_page(site, paper, neighbours) for paper in edited]
            self._write(first)
            written = {p.path for p in first}
            early(sorted(written))
        update = self._update(site, neighbours, started, written)
        update.early = sorted(written)
        return update

    def _update(self, site: Site, neighbours: dict[str, list[str]], started: float, written: set[str]) -> Update:
        changed = {p.slug for p in site.papers if self.site.by_slug.get(p.slug) is not p}
        changed |= set(self.site.by_slug) - set(site.by_slug)
        pages = self._plan(site, neighbours, changed)
        keys = {p.path: self.page_keys[p.path] if self._unchanged(p, changed) else self.keys.key(p) for p in pages}
        todo = [p for p in pages if keys[p.path] != self.page_keys.get(p.path) and p.template != "overview.html"]
        self._write([p for p in todo if p.path not in written])
        removed = sorted(set(self.page_keys) - set(keys))
        for path in removed:
            (self.output / path).unlink(missing_ok=True)
        self.neighbours = neighbours
        self.site, self.pages, self.page_keys = site, pages, keys
        self.keyed_with = self.keys.build
        # A page kept from the last plan shows what it showed: only the new pages are walked.
        self.shown = {p.path: self.shown[p.path] if self._kept.get(p.path) is p else papers_shown(p)
                      for p in pages if p.template == "paper.html"}
        return Update([p.path for p in todo], removed, time.perf_counter() - started)

    def _write(self, pages: list[Page]) -> None:
        write_pages(RenderJob(self.renderer, pages, self.output, self.keys, atomic=True), parallel=False)

    def _unchanged(self, page: Page, changed: set[str]) -> bool:
        """A page planned last time keeps its key: a paper page whose papers (its own, related,
        neighbours) did not change, any other page the memo gave back (planned from the same
        papers). At 10,000 papers, digesting every page was most of an edit."""
        if self.keyed_with != self.keys.build or page.path not in self.page_keys or self._kept.get(page.path) is not page:
            return False
        before = self.shown.get(page.path)
        return page.template != "paper.html" or (before is not None and not (changed & before))

    def _plan(self, site: Site, neighbours: dict[str, list[str]], changed: set[str]) -> list[Page]:
        """The site's pages, except that a paper page showing nothing that changed is the page
        planned last time (planning every paper page again was most of an edit at 10,000)."""
        old = {p.path: p for p in self.pages if p.template == "paper.html"}
        moved = _moved_neighbours(self.site, site, changed)
        self._kept: dict[str, Page] = {}
        papers, empty = [], frozenset[str]()
        for paper in site.papers:
            path = urls.paper(paper.slug)
            page, now, before = old.get(path), neighbours.get(paper.slug), self.neighbours.get(paper.slug)
            if page is None or paper.slug in changed or paper.slug in moved \
                    or not self.shown.get(path, empty).isdisjoint(changed) \
                    or (now is not before and set(now or ()) != set(before or ())):
                page = paper_page(site, paper, neighbours)
            else:
                self._kept[path] = page
            papers.append(page)
        others = [home_page(site)] + plan_collection_pages(site, self.memo)
        planned = {p.path: p for p in self.pages if p.template != "paper.html"}
        self._kept.update((p.path, p) for p in others if planned.get(p.path) is p)
        overview = next(p for p in self.pages if p.template == "overview.html")  # refreshed in the background
        self._kept[overview.path] = overview
        return in_site_order(others, papers, overview)

    def refresh_derived(self, since: int | None = None) -> list[str]:
        """Related papers of every paper, the overview, exports and search indexes: slow at scale,
        so `serve` runs this on a thread of its own once edits settle, from a snapshot of the site.
        (An edit ranks the edited papers' related lists at once; an edited text can move other
        papers' lists too, which this catches up with.) It stops (RefreshInterrupted) between
        steps once the watcher has counted a change after `since` (by default: after it started),
        and kills a Pagefind run: an edit would otherwise share two cores and Python's lock with it."""
        with self.lock:
            site = self.site
        self._refreshing_after = self.changes_seen if since is None else since
        self._go_on()
        related, neighbours, notes = self._derived_in_child()
        with self.lock:
            if self.site is site:  # no edit came in meanwhile (it would make this stale)
                self._adopt_neighbours(related, neighbours)
        return notes

    def _derived_in_child(self) -> tuple[RelatedIndex, dict[str, list[str]], list[str]]:
        """serve/derived.py's work, in a process of its own, killed when a change comes in."""
        with tempfile.TemporaryDirectory(prefix="litsite-derived-") as scratch:
            result, errors = Path(scratch) / "result.pickle", Path(scratch) / "stderr.txt"
            package = str(Path(__file__).resolve().parents[2])  # where `generator` is imported from
            env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [package, os.environ.get("PYTHONPATH")])))
            command = [sys.executable, "-m", "generator.serve.derived", str(self.config.root), str(self.output),
                       "search" if self.search else "no-search", str(result)]
            parent = os.getpid()
            with errors.open("w") as stderr, signals_held():  # the child dies with serve, even on SIGKILL
                self.child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                              stderr=stderr, env=env, preexec_fn=lambda: die_with_parent(parent))
            try:
                while True:
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        self.child.wait(timeout=0.1)
                        break
                    self._go_on()
                self._go_on()  # killed by give_way(), not failed
            except BaseException:
                self.stop()
                raise
            if self.child.returncode != 0:
                raise InputError(errors.read_text(encoding="utf-8").strip()[-2000:] or "the refresh failed")
            # Written by our own child into a private folder of ours: safe to unpickle.
            return pickle.loads(result.read_bytes())

    def _go_on(self) -> None:
        if self.changes_seen != self._refreshing_after:
            raise RefreshInterrupted

    def _adopt_neighbours(self, related: RelatedIndex, neighbours: dict[str, list[str]]) -> None:
        moved = {slug for slug, others in neighbours.items() if others != self.neighbours.get(slug)}
        self.related, self.neighbours = related, neighbours
        if not moved:
            return
        pages = [paper_page(self.site, self.site.by_slug[slug], neighbours)
                 if p.template == "paper.html" and (slug := p.path[len(urls.PAPERS_DIR) + 1:-5]) in moved else p
                 for p in self.pages]
        fresh = [p for p in pages if p.template == "paper.html" and p.path[len(urls.PAPERS_DIR) + 1:-5] in moved]
        keys = {p.path: self.keys.key(p) for p in fresh}
        self._write([p for p in fresh if keys[p.path] != self.page_keys.get(p.path)])
        self.pages = pages
        self.page_keys.update(keys)
        self.shown.update({p.path: papers_shown(p) for p in fresh})

    def give_way(self) -> None:
        """Called by the watcher on each change: a running refresh is stale, and the niced child
        would share both cores with the edit's rebuild until its next check (up to 0.1 s) came.
        Only the signal here; the refresh thread reaps the child and raises RefreshInterrupted."""
        child = self.child
        if child is not None and child.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                child.kill()

    def stop(self) -> None:
        """Stop a refresh that is still running, and its Pagefind process."""
        child = self.child
        if child is not None and child.poll() is None:
            child.kill()
            child.wait()


def _moved_neighbours(before: Site, after: Site, changed: set[str]) -> set[str]:
    """Papers whose previous/next links may differ after an edit: in every topic of a changed
    paper, its neighbours before and after (unchanged papers keep their order among themselves)."""
    near: set[str] = set()
    for site in (before, after):
        for slug in changed:
            paper = site.by_slug.get(slug)
            for topic in paper.topics if paper else ():
                i = site.position.get(topic, {}).get(slug)
                if i is not None:
                    near.update(p.slug for p in site.topic_members[topic][max(0, i - 1): i + 2])
    return near


def is_paper(path: Path, config: SiteConfig) -> bool:
    return path.suffix == ".md" and path.parent == config.papers_dir
