"""Pages, and what each kind of page shows: one typed context per template.

A template is rendered with its page's context fields as variables, the `Chrome` as `chrome`
and pure helper functions; nothing else. A page's key (build/pagekeys.py) is made from the
whole page, context included, so whatever a template can read is in its key by construction.
"""
from __future__ import annotations

from dataclasses import dataclass

from generator.analysis.maplayout import ClusterLabel, MapPoint
from generator.content.paper import Paper
from generator.site.model import Card, Crumb, DocSource, ListMembership, Pager, PaperLink, TopicNode
from generator.site.stats import Bar


@dataclass(frozen=True)
class HomeContext:
    intro: str
    recent: tuple[Card, ...]


@dataclass(frozen=True)
class PaperContext:
    paper: Paper
    related: tuple[Card, ...]
    previous: PaperLink | None
    next: PaperLink | None
    primary_topic: str | None
    cite_key: str  # unique in the site, so it may change when another paper's does
    lists: tuple[ListMembership, ...] = ()  # the reading lists it is in


@dataclass(frozen=True)
class ListingContext:
    papers: tuple[Card, ...]
    pager: Pager
    kind: str  # topic, tag, year, author, all, attention
    count: int
    heading: str
    node: TopicNode | None = None  # a topic listing's topic
    tag_bars: tuple[Bar, ...] = ()  # a topic listing's most used tags
    sort: str = ""  # the all-papers listing's order: title or added
    lead: str = ""  # what the listing is, under its heading (a tag's description)


@dataclass(frozen=True)
class TagsContext:
    alphabetical: tuple[tuple[str, str, int], ...]  # (slug, name, papers), by name
    by_count: tuple[tuple[str, str, int], ...]


@dataclass(frozen=True)
class AuthorsContext:
    letters: tuple[tuple[str, tuple[tuple[str, str, int], ...]], ...]  # (letter, ((slug, name, papers), ...))
    count: int


@dataclass(frozen=True)
class YearsContext:
    years: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class AttentionSection:
    slug: str
    title: str
    text: str
    count: int
    papers: tuple[Card, ...]
    all: str  # the paginated listing of all of them


@dataclass(frozen=True)
class AttentionContext:
    sections: tuple[AttentionSection, ...]


@dataclass(frozen=True)
class OverviewContext:
    topic_bars: tuple[Bar, ...]
    tag_bars: tuple[Bar, ...]
    added_bars: tuple[Bar, ...]
    added_per: str  # what one added bar counts: 'month' or 'year'
    points: tuple[MapPoint, ...]
    legend: tuple[tuple[int, str, str], ...]  # (colour, topic slug, topic title); a topic's number is its place + 1
    labels: tuple[ClusterLabel, ...]
    tag_count: int


@dataclass(frozen=True)
class ListItem:
    card: Card
    note: str  # Markdown


@dataclass(frozen=True)
class ReadingListContext:
    slug: str  # the key its read marks are kept under in the browser
    heading: str
    lead: str
    intro: str  # Markdown
    items: tuple[ListItem, ...]


@dataclass(frozen=True)
class ReadingListsContext:
    lists: tuple[tuple[str, str, str, int], ...]  # (slug, title, description, papers)


@dataclass(frozen=True)
class DocContext:
    doc: DocSource


@dataclass(frozen=True)
class SearchContext:
    topics: tuple[tuple[str, str], ...]  # (slug, title)
    urls: dict[str, str]  # the URL patterns search.js builds links with (site/urls.py)
    tags: tuple[tuple[str, str], ...] = ()  # (slug, name): facets and chips show names
    meaning: bool = True  # the site has vectors for search by meaning: offer the switch


@dataclass(frozen=True)
class NoContext:
    """Pages that show the chrome only (topics index, 404)."""


Context = (HomeContext | PaperContext | ListingContext | TagsContext | AuthorsContext | YearsContext | AttentionContext
           | OverviewContext | ReadingListContext | ReadingListsContext | DocContext | SearchContext | NoContext)


@dataclass(frozen=True)
class Page:
    path: str  # where the page is written, e.g. "papers/non-deep-networks.html"
    template: str
    title: str
    description: str
    context: Context
    crumbs: tuple[Crumb, ...] = ()
    topic: str | None = None  # the sidebar opens this topic
    searchable: bool = False  # Pagefind indexes only these pages' bodies
    in_sitemap: bool = True
