"""Incremental rebuilds for `litsite serve`: re-render exactly the pages whose content changed.

Every planned page gets a key: a digest of what its template will show (the papers it lists,
its crumbs, its pager, the sidebar). After an edit the site is re-planned in memory, and only
pages whose key changed are rendered and written; pages that no longer exist are removed.
Template, static or site.yaml changes go through a full build instead.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from generator.build import BuildResult, build, copy_static, write_extras, write_pages
from generator.config import SiteConfig
from generator.content import Paper, read_paper
from generator.manifest import forget
from generator.pagekeys import chrome_key, item_digest, page_keys, paper_digest
from generator.site import Page, Site, home_page, paper_page, plan_collection_pages


@dataclass
class Update:
    rendered: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    full: bool = False

    def describe(self) -> str:
        what = "full rebuild" if self.full else f"{len(self.rendered)} pages re-rendered"
        if self.removed:
            what += f", {len(self.removed)} removed"
        return f"{what} in {self.seconds * 1000:.0f} ms"


class LiveSite:
    """The site as `serve` keeps it in memory between edits."""

    def __init__(self, config: SiteConfig, output: Path, search: bool = True):
        self.config, self.output, self.search = config, output, search
        self.full_build()

    def full_build(self) -> BuildResult:
        result = build(self.config, self.output, search=self.search, parallel=False)  # serve has threads
        self._adopt(result.site, result.planned)
        self.renderer = result.renderer
        self.related_index = result.related_index
        return result

    def rebuild_all(self, config: SiteConfig) -> Update:
        """A full build with a new config, without the search index (refreshed later)."""
        started = time.perf_counter()
        self.config = config
        search, self.search = self.search, False
        try:
            self.full_build()
        finally:
            self.search = search
        return Update(full=True, seconds=time.perf_counter() - started)

    def _adopt(self, site: Site, pages: list[Page]) -> None:
        self.site, self.pages = site, pages
        self.depends = {p.path: p.depends_on for p in pages}
        self.digests = {p.slug: paper_digest(p) for p in site.papers}
        self.items = {p.slug: item_digest(p) for p in site.papers}
        self.chrome = chrome_key(site)
        self.keys = page_keys(pages, self.items, self.digests)

    def update_papers(self, changed: list[Path], early: Callable[[list[str]], None] | None = None) -> Update:
        """Re-read the given paper files (deleted ones drop out) and write what changed.

        With `early`, the edited papers' own pages are written first and passed to it (`serve`
        reloads a browser showing one of them at once; lists that show the papers follow)."""
        started = time.perf_counter()
        by_slug = dict(self.site.by_slug)
        edited: list[Paper] = []
        for path in changed:
            slug = path.stem
            if path.exists():
                paper = read_paper(path)  # InputError propagates: the live site stays as it was
                by_slug[slug] = paper
                edited.append(paper)
            else:
                by_slug.pop(slug, None)
        papers = sorted(by_slug.values(), key=lambda p: p.slug)
        related = dict(self.site.related)
        if len(by_slug) < len(self.site.by_slug) or any(s not in by_slug for s in self.site.by_slug):
            related = {s: [o for o in others if o in by_slug] for s, others in related.items() if s in by_slug}
        related.update(self.related_index.neighbours_of(edited))
        site = Site(self.config, papers, related, docs=self.site.docs, intro=self.site.intro)
        forget(self.output)  # pages change in place now: the next build must not trust the manifest
        self.renderer.use_site(site)
        written: set[str] = set()
        if early is not None and edited:
            first = [paper_page(site, paper) for paper in edited]
            write_pages(self.renderer, first, self.output, atomic=True, parallel=False)
            written = {p.path for p in first}
            early(sorted(written))
        return self._write(site, started, written)

    def _write(self, site: Site, started: float, written: set[str] = frozenset()) -> Update:
        previous = self.site.by_slug
        digests = {p.slug: self.digests[p.slug] if previous.get(p.slug) is p else paper_digest(p) for p in site.papers}
        items = {p.slug: self.items[p.slug] if previous.get(p.slug) is p else item_digest(p) for p in site.papers}
        changed = {slug for slug, d in digests.items() if self.digests.get(slug) != d} | (set(self.digests) - set(digests))
        pages = self._plan(site, changed)
        keys = self._keys(pages, items, digests, changed)
        everything = chrome_key(site) != self.chrome
        todo = [p for p in pages if p.prepare is None and (everything or keys[p.path] != self.keys.get(p.path))]
        write_pages(self.renderer, [p for p in todo if p.path not in written], self.output, atomic=True, parallel=False)
        removed = sorted(set(self.keys) - set(keys))
        for path in removed:
            (self.output / path).unlink(missing_ok=True)
        self.site, self.pages, self.digests, self.items, self.keys = site, pages, digests, items, keys
        self.depends = {p.path: p.depends_on for p in pages}
        self.chrome = chrome_key(site)
        return Update([p.path for p in todo], removed, time.perf_counter() - started)

    def _plan(self, site: Site, changed: set[str]) -> list[Page]:
        """plan_site(site), except that a paper page showing nothing that changed is the page
        planned last time: at 10,000 papers, planning every paper page again was most of an edit."""
        old = {p.path: p for p in self.pages if p.template == "paper.html"}
        moved = _moved_neighbours(self.site, site, changed)
        papers = []
        for paper in site.papers:
            page = old.get(f"papers/{paper.slug}.html")
            if page is None or paper.slug in changed or paper.slug in moved or page.depends_on & changed:
                page = paper_page(site, paper)
            papers.append(page)
        return [home_page(site)] + papers + plan_collection_pages(site)

    def _keys(self, pages: list[Page], items: dict[str, str], digests: dict[str, str],
              changed: set[str]) -> dict[str, int]:
        """A paper page shows only its own paper, its related papers and its neighbours in its
        topic: when none of them changed, before or after the edit, its key is the old one."""
        keys, fresh = {}, []
        for page in pages:
            old = self.depends.get(page.path)
            if page.template == "paper.html" and old is not None and page.path in self.keys \
                    and not (changed & (old | page.depends_on)):
                keys[page.path] = self.keys[page.path]
            else:
                fresh.append(page)
        keys.update(page_keys(fresh, items, digests))
        return keys

    def refresh_derived(self) -> list[str]:
        """Overview, feeds, exports and search indexes: slow at scale, so `serve` runs this on a
        thread of its own once edits settle, from a snapshot of the site, with its own renderer."""
        from generator.render import Renderer
        from generator.search import search_summary, start_pagefind, write_fallback_index

        site, pages = self.site, self.pages
        renderer = Renderer(site, self.config.templates_dir, self.renderer.live_reload)
        write_pages(renderer, [p for p in pages if p.prepare is not None], self.output, atomic=True, parallel=False)
        write_extras(site, pages, self.output, self.config, static=False)
        if not self.search:
            return []
        self.pagefind = start_pagefind(site, self.output, background=True)
        try:
            fallback = write_fallback_index(site, self.output)
            return search_summary(site, self.pagefind.finish(), fallback)
        finally:
            self.pagefind = None

    def stop(self) -> None:
        """Stop a search refresh that is still running (its Pagefind process would outlive us)."""
        run = getattr(self, "pagefind", None)
        if run is not None:
            run.cancel()

    def copy_static(self) -> None:
        copy_static(self.config, self.output)


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

