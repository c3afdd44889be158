"""Page keys: what a page will show, reduced to a digest, so that only pages whose key changed
are rendered again. `serve` keeps the keys in memory between edits; a build compares stable
keys with the ones the previous build recorded (see manifest.py).
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping

from generator.content import Paper, fingerprint
from generator.site import Page, Pager, Site, TopicNode


def paper_digest(paper: Paper) -> str:
    return fingerprint([paper.slug, paper.title, paper.title_source, paper.abstract, paper.authors, paper.year,
                        paper.venue, paper.doi, paper.arxiv, paper.tags, paper.topics, paper.links,
                        [s.as_dict() for s in paper.sources], str(paper.added), paper.notes])


def item_digest(paper: Paper) -> str:
    """What a list shows of a paper (see templates/_paper_item.html)."""
    return fingerprint([paper.slug, paper.title, paper.title_source, paper.authors[:4], paper.year, paper.venue,
                        paper.tags[:5]])


def _item(paper: Paper, digests: Mapping[str, str]) -> str:
    try:
        return digests[paper.slug]
    except KeyError:
        return item_digest(paper)


def _frozen(value, digests: dict[str, str]):
    """A hashable stand-in for what a template will show; a listed paper stands for its item digest."""
    if isinstance(value, Paper):
        return _item(value, digests)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        if value and isinstance(value[0], Paper):  # a listing's papers: the common, large case
            return tuple(_item(p, digests) for p in value)
        return tuple(_frozen(v, digests) for v in value)
    if isinstance(value, dict):
        return tuple((str(k), _frozen(v, digests)) for k, v in value.items())
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Pager):  # its paths follow from the first one and the total
        return ("pager", value.number, value.total, value.pages[0])
    if isinstance(value, TopicNode):  # the whole Topic (its matching terms) is not shown
        return (value.slug, value.topic.title, value.topic.description, value.count,
                tuple(_frozen(child, digests) for child in value.children))
    if hasattr(value, "__dict__"):
        return (type(value).__name__,) + tuple((k, _frozen(v, digests)) for k, v in vars(value).items()
                                                 if not k.startswith("_"))
    return repr(value)


def chrome_key(site: Site) -> str:
    """What every page shows: the sidebar topic tree with counts, the paper total, the nav."""
    tree = [(t.slug, t.title, site.topic_counts.get(t.slug, 0)) for t in site.config.topics]
    return fingerprint([tree, len(site.papers), [(n.title, n.page) for n in site.config.nav], bool(site.year_members)])


def page_key(page: Page, items: Mapping[str, str], full: Mapping[str, str]) -> tuple:
    """What a page shows, as a tuple of plain values. A paper page counts its own paper in full;
    every other paper it shows counts as a list item."""
    own = page.context.get("paper")
    context = page.context
    if isinstance(own, Paper):  # previous/next links show only a title
        context = {**context, **{k: context[k].title for k in ("previous", "next") if context.get(k)}}
    return (page.template, page.title, page.description, _frozen(page.crumbs, items), page.topic, page.searchable,
            full[own.slug] if isinstance(own, Paper) else None, _frozen(context, items))


def page_keys(pages: list[Page], items: Mapping[str, str], full: Mapping[str, str]) -> dict[str, int]:
    """Python's tuple hash: fast, and only ever compared within one `serve` process."""
    return {page.path: hash(page_key(page, items, full)) for page in pages}


def stable_key(page: Page, items: Mapping[str, str], full: Mapping[str, str]) -> str:
    """The same key, equal across processes and runs (a build compares it with the last build's)."""
    return stable_digest(page_key(page, items, full))


def stable_digest(value) -> str:
    """A digest of plain values (strings, numbers, tuples): repr is the same in every process."""
    return hashlib.blake2b(repr(value).encode("utf-8"), digest_size=12).hexdigest()


class Digests(dict):
    """slug -> digest, computed on first use (a build's workers each need only some of them)."""

    def __init__(self, site: Site, digest: Callable[[Paper], str]):
        super().__init__()
        self.site, self.digest = site, digest

    def __missing__(self, slug: str) -> str:
        value = self[slug] = self.digest(self.site.by_slug[slug])
        return value
