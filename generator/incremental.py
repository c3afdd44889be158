"""Incremental rebuilds for `litsite serve`: re-render exactly the pages whose content changed.

Every planned page gets a key: a digest of what its template will show (the papers it lists,
its crumbs, its pager, the sidebar). After an edit the site is re-planned in memory, and only
pages whose key changed are rendered and written; pages that no longer exist are removed.
Template, static or site.yaml changes go through a full build instead.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from generator.build import BuildResult, build, copy_static, write_extras, write_pages
from generator.config import SiteConfig
from generator.content import Paper, fingerprint, read_paper
from generator.errors import InputError
from generator.site import Page, Site, plan_site


def paper_digest(paper: Paper) -> str:
    return fingerprint([paper.slug, paper.title, paper.title_source, paper.abstract, paper.authors, paper.year,
                        paper.venue, paper.doi, paper.arxiv, paper.tags, paper.topics, paper.links,
                        [s.as_dict() for s in paper.sources], str(paper.added), paper.notes])


def _plain(value, digests: dict[str, str]):
    if isinstance(value, Paper):
        return digests.get(value.slug) or paper_digest(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v, digests) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v, digests) for k, v in value.items()}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (dt.date,)):
        return value.isoformat()
    if hasattr(value, "__dict__"):
        return {k: _plain(v, digests) for k, v in vars(value).items() if not k.startswith("_")}
    return repr(value)


def chrome_key(site: Site) -> str:
    """What every page shows: the sidebar topic tree with counts, the paper total, the nav."""
    tree = [(t.slug, t.title, site.topic_counts.get(t.slug, 0)) for t in site.config.topics]
    return fingerprint([tree, len(site.papers), [(n.title, n.page) for n in site.config.nav]])


def page_keys(pages: list[Page], digests: dict[str, str]) -> dict[str, str]:
    keys = {}
    for page in pages:
        data = [page.template, page.title, page.description, _plain(page.crumbs, digests), page.topic,
                page.searchable, _plain(page.context, digests)]
        keys[page.path] = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
    return keys


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

    def _adopt(self, site: Site, pages: list[Page]) -> None:
        self.site, self.pages = site, pages
        self.digests = {p.slug: paper_digest(p) for p in site.papers}
        self.chrome = chrome_key(site)
        self.keys = page_keys(pages, self.digests)

    def update_papers(self, changed: list[Path]) -> Update:
        """Re-read the given paper files (deleted ones drop out) and write what changed."""
        started = time.perf_counter()
        by_slug = {p.slug: p for p in self.site.papers}
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
        related = {s: [o for o in others if o in by_slug] for s, others in self.site.related.items() if s in by_slug}
        related.update(self.related_index.neighbours_of(edited))
        site = Site(self.config, papers, related, docs=self.site.docs, intro=self.site.intro)
        return self._write(site, started)

    def _write(self, site: Site, started: float) -> Update:
        pages = plan_site(site)
        digests = dict(self.digests)
        for paper in site.papers:
            digests[paper.slug] = paper_digest(paper)
        keys = page_keys(pages, digests)
        everything = chrome_key(site) != self.chrome
        todo = [p for p in pages if p.prepare is None and (everything or keys[p.path] != self.keys.get(p.path))]
        self.renderer.use_site(site)
        write_pages(self.renderer, todo, self.output, atomic=True, parallel=False)
        removed = sorted(set(self.keys) - set(keys))
        for path in removed:
            (self.output / path).unlink(missing_ok=True)
        self.site, self.pages, self.digests, self.keys = site, pages, digests, keys
        self.chrome = chrome_key(site)
        return Update([p.path for p in todo], removed, time.perf_counter() - started)

    def refresh_derived(self) -> list[str]:
        """Feeds, exports and search indexes: slower, so `serve` runs this once edits settle."""
        from generator.search import index_site

        write_pages(self.renderer, [p for p in self.pages if p.prepare is not None], self.output, atomic=True,
                    parallel=False)
        write_extras(self.site, self.pages, self.output, self.config, static=False)
        return index_site(self.site, self.output) if self.search else []

    def copy_static(self) -> None:
        copy_static(self.config, self.output)


def is_paper(path: Path, config: SiteConfig) -> bool:
    try:
        path.relative_to(config.papers_dir)
    except ValueError:
        return False
    return path.suffix == ".md" and path.parent == config.papers_dir


__all__ = ["LiveSite", "Update", "is_paper", "InputError"]
