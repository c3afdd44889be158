"""The site model: which pages exist, where they go, and what each one shows.

Nothing here renders or writes; `build.py` does that. Every path is relative to the site root
and every link is made relative to the page it appears on, so one build works on any sub-path
and from file://.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from generator.config import SiteConfig, Topic
from generator.content import Paper

RECENT_ON_HOME = 12


@dataclass
class Crumb:
    label: str
    path: str | None = None


@dataclass
class Page:
    path: str  # where the page is written, e.g. "papers/non-deep-networks.html"
    template: str
    title: str
    description: str
    crumbs: list[Crumb] = field(default_factory=list)
    context: dict = field(default_factory=dict)
    topic: str | None = None  # the sidebar opens this topic
    searchable: bool = False  # Pagefind indexes only these pages' bodies
    in_sitemap: bool = True
    depends_on: frozenset[str] = frozenset()  # paper slugs whose content this page shows
    # Costly context computed only when the page is rendered (the overview's map). `serve`
    # refreshes such pages with the search index, once edits settle.
    prepare: Callable[[], dict] | None = None


@dataclass
class TopicNode:
    topic: Topic
    count: int
    children: list["TopicNode"] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return self.topic.slug


@dataclass
class Pager:
    number: int
    total: int
    pages: list[str]  # path of every page of the listing

    @property
    def previous(self) -> str | None:
        return self.pages[self.number - 2] if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.pages[self.number] if self.number < self.total else None


@dataclass
class DocSource:
    path: Path  # the Markdown file
    output: str  # e.g. "about.html"
    title: str
    text: str


@dataclass
class Site:
    config: SiteConfig
    papers: list[Paper]
    related: dict[str, list[str]]
    docs: list[DocSource] = field(default_factory=list)
    intro: str = ""
    pages: list[Page] = field(default_factory=list)

    def __post_init__(self):
        self.by_slug = {p.slug: p for p in self.papers}
        self.topic_counts = Counter(t for p in self.papers for t in p.topics)
        self.tag_counts = Counter(t for p in self.papers for t in p.tags)
        self.topic_tree = _topic_tree(self.config.topics, self.topic_counts)
        self.topic_titles = {t.slug: t.title for t in self.config.topics}
        # Members sorted once, so no page has to scan the whole collection (50,000 papers).
        self.topic_members: dict[str, list[Paper]] = {}
        self.tag_members: dict[str, list[Paper]] = {}
        self.year_members: dict[int, list[Paper]] = {}
        self.author_members: dict[str, list[Paper]] = {}
        self.author_names: dict[str, str] = {}
        self.alphabetical = sorted(self.papers, key=by_title)
        for paper in self.alphabetical:
            for topic in paper.topics:
                self.topic_members.setdefault(topic, []).append(paper)
            for tag in paper.tags:
                self.tag_members.setdefault(tag, []).append(paper)
            if paper.year:
                self.year_members.setdefault(paper.year, []).append(paper)
            for name in paper.authors:
                slug = author_slug(name)
                if slug:
                    self.author_members.setdefault(slug, []).append(paper)
                    self.author_names.setdefault(slug, name)
        self.position = {topic: {p.slug: i for i, p in enumerate(members)}
                         for topic, members in self.topic_members.items()}


def _topic_tree(topics: list[Topic], counts: Counter) -> list[TopicNode]:
    nodes = {t.slug: TopicNode(t, counts.get(t.slug, 0)) for t in topics}
    roots = []
    for topic in topics:
        if topic.parent and topic.parent in nodes:
            nodes[topic.parent].children.append(nodes[topic.slug])
        else:
            roots.append(nodes[topic.slug])
    return roots


def author_slug(name: str) -> str:
    from generator.slugs import slugify

    return slugify(name)


def by_title(paper: Paper) -> tuple:
    return (paper.title.casefold(), paper.slug)


def by_newest(paper: Paper) -> tuple:
    return (-(paper.added.toordinal() if paper.added else 0), paper.title.casefold(), paper.slug)


def relative(from_page: str, target: str) -> str:
    """A link from one site path to another, e.g. ('papers/a.html', 'tags/b.html') -> '../tags/b.html'.

    Site paths are normalised (no '..', no leading '/'), so plain string work is enough; this
    runs tens of thousands of times per build, where posixpath.relpath was the slowest part.
    """
    folder = from_page.rpartition("/")[0]
    if folder and target.startswith(folder + "/"):
        return target[len(folder) + 1:]
    return "../" * from_page.count("/") + target


def plan_site(site: Site) -> list[Page]:
    """Every page of the site, in a stable order."""
    return [home_page(site)] + [paper_page(site, p) for p in site.papers] + plan_collection_pages(site)


def plan_collection_pages(site: Site) -> list[Page]:
    """Every page but the home page and the paper pages: indexes, listings, docs."""
    pages = [_topics_index(site)]
    for node in _walk(site.topic_tree):
        papers = site.topic_members.get(node.slug, [])
        pages += _listing(site, f"topics/{node.slug}", node.topic.title, papers, "topic",
                          [Crumb("Topics", "topics.html")] + _topic_crumbs(site, node.topic),
                          description=node.topic.description or f"Papers on {node.topic.title}.",
                          extra={"node": node, "tag_chart": _topic_tag_chart(site, node.slug, papers)},
                          topic=node.slug)
    pages.append(_tags_index(site))
    for tag in sorted(site.tag_counts):
        papers = site.tag_members[tag]
        pages += _listing(site, f"tags/{tag}", f"Tag: {tag}", papers, "tag", [Crumb("Tags", "tags.html")],
                          description=f"{len(papers)} papers tagged {tag}.", extra={"tag": tag})
    if site.year_members:
        pages.append(_years_index(site))
    for year in sorted(site.year_members):
        pages += _listing(site, f"years/{year}", f"Papers from {year}", site.year_members[year], "year",
                          [Crumb("Years", "years.html")], description=f"Papers published in {year}.",
                          extra={"year": year})
    for slug in sorted(site.author_members):
        name = site.author_names[slug]
        papers = site.author_members[slug]
        pages += _listing(site, f"authors/{slug}", name, papers, "author", [],
                          description=f"{len(papers)} papers by {name}.", extra={"author": name})
    everything = site.alphabetical
    pages += _listing(site, "list/title", "All papers", everything, "all", [],
                      description=f"All {len(everything)} papers, A to Z.", extra={"sort": "title"})
    pages += _listing(site, "list/added", "All papers, newest first", sorted(site.papers, key=by_newest), "all",
                      [], description="All papers, most recently added first.", extra={"sort": "added"})
    pages += _attention(site)
    pages.append(_overview(site))
    pages += [_doc_page(site, doc) for doc in site.docs]
    pages.append(Page("search.html", "search.html", "Search", f"Search {site.config.title}.",
                      [Crumb("Search")], in_sitemap=False))
    pages.append(Page("404.html", "404.html", "Page not found", "This page does not exist.", in_sitemap=False))
    return pages


def _topic_tag_chart(site: Site, slug: str, papers: list[Paper]) -> str:
    from generator import charts

    bars = charts.tag_bars(site, limit=8, papers=papers)
    url = lambda target: relative(f"topics/{slug}.html", target)  # noqa: E731
    return charts.bar_chart("Most used tags in this topic", bars, url, f"tags-{slug}", width=560) if bars else ""


def _walk(nodes: list[TopicNode]):
    for node in nodes:
        yield node
        yield from _walk(node.children)


def _topic_crumbs(site: Site, topic: Topic) -> list[Crumb]:
    chain = [topic]
    while chain[0].parent and site.config.topic(chain[0].parent):
        chain.insert(0, site.config.topic(chain[0].parent))
    return [Crumb(t.title, f"topics/{t.slug}.html") for t in chain]


def home_page(site: Site) -> Page:
    recent = sorted(site.papers, key=by_newest)[:RECENT_ON_HOME]
    return Page("index.html", "home.html", site.config.title, site.config.description or site.config.title,
                context={"recent": recent}, depends_on=frozenset(p.slug for p in recent))


def paper_page(site: Site, paper: Paper) -> Page:
    primary = primary_topic(site, paper)
    crumbs = [Crumb("Topics", "topics.html")] + (_topic_crumbs(site, site.config.topic(primary)) if primary else [])
    previous, following = neighbours_in_topic(site, paper, primary)
    related = related_of(site, paper)
    summary = paper.abstract[:200].rsplit(" ", 1)[0] + "…" if len(paper.abstract) > 200 else paper.abstract
    shown = {paper.slug, *(p.slug for p in related), *(p.slug for p in (previous, following) if p)}
    return Page(f"papers/{paper.slug}.html", "paper.html", paper.title, summary or paper.title, crumbs,
                {"paper": paper, "related": related, "previous": previous, "next": following,
                 "primary_topic": primary},
                topic=primary, searchable=True, depends_on=frozenset(shown))


def primary_topic(site: Site, paper: Paper) -> str | None:
    return paper.topics[0] if paper.topics and site.config.topic(paper.topics[0]) else None


def neighbours_in_topic(site: Site, paper: Paper, primary: str | None) -> tuple[Paper | None, Paper | None]:
    """The papers before and after this one in its primary topic, A to Z (previous/next links)."""
    if not primary:
        return None, None
    siblings = site.topic_members[primary]
    i = site.position[primary][paper.slug]
    return (siblings[i - 1] if i > 0 else None), (siblings[i + 1] if i + 1 < len(siblings) else None)


def related_of(site: Site, paper: Paper) -> list[Paper]:
    return [site.by_slug[s] for s in site.related.get(paper.slug, []) if s in site.by_slug]


def _topics_index(site: Site) -> Page:
    return Page("topics.html", "topics.html", "Topics", f"The {len(site.config.topics)} topics of {site.config.title}.",
                [Crumb("Topics")])


def _years_index(site: Site) -> Page:
    years = sorted(((y, len(p)) for y, p in site.year_members.items()), reverse=True)
    return Page("years.html", "years.html", "Years", "Papers by year of publication.", [Crumb("Years")],
                {"years": years})


def _tags_index(site: Site) -> Page:
    alphabetical = sorted(site.tag_counts.items())
    by_count = sorted(site.tag_counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return Page("tags.html", "tags.html", "Tags", f"All {len(alphabetical)} tags with their paper counts.",
                [Crumb("Tags")], {"alphabetical": alphabetical, "by_count": by_count})


def _listing(site: Site, base: str, title: str, papers: list[Paper], kind: str, crumbs: list[Crumb],
             description: str, extra: dict, topic: str | None = None) -> list[Page]:
    per_page = site.config.per_page
    total = max(1, math.ceil(len(papers) / per_page))
    paths = [f"{base}.html"] + [f"{base}/page-{n}.html" for n in range(2, total + 1)]
    pages = []
    for n, path in enumerate(paths, start=1):
        chunk = papers[(n - 1) * per_page: n * per_page]
        page_title = title if n == 1 else f"{title} (page {n} of {total})"
        trail = crumbs if crumbs and crumbs[-1].label == title else crumbs + [Crumb(title, paths[0])]
        pages.append(Page(path, "listing.html", page_title, description, _last_unlinked(trail, n == 1),
                          {"papers": chunk, "pager": Pager(n, total, paths), "kind": kind, "count": len(papers),
                           "heading": title, **extra},
                          topic=topic, depends_on=frozenset(p.slug for p in chunk)))
    return pages


def _last_unlinked(crumbs: list[Crumb], first_page: bool) -> list[Crumb]:
    if not crumbs or not first_page:
        return crumbs
    return crumbs[:-1] + [Crumb(crumbs[-1].label)]


def _overview(site: Site) -> Page:
    def prepare() -> dict:
        from generator import charts

        url = lambda target: relative("overview.html", target)  # noqa: E731
        topics, tags, added = charts.topic_bars(site), charts.tag_bars(site), charts.added_bars(site)
        points = charts.map_points(site)
        return {
            "topic_chart": charts.bar_chart("Papers per topic", topics, url, "topics-chart"),
            "topic_table": charts.data_table("Papers per topic", ("Topic", "Papers"), topics),
            "tag_chart": charts.bar_chart(f"The {len(tags)} most used tags", tags, url, "tags-chart"),
            "tag_table": charts.data_table("Most used tags", ("Tag", "Papers"), tags),
            "added_chart": charts.column_chart("Papers added per month", added, "added-chart"),
            "added_table": charts.data_table("Papers added per month", ("Month", "Papers"), added),
            "map": charts.map_svg(points, url),
            "legend": [(i % charts.PALETTE_SIZE, t) for i, t in enumerate(site.config.topics)],
        }

    return Page("overview.html", "overview.html", "Overview", f"The shape of {site.config.title}: topics, tags, "
                "additions over time and a map of the papers.", [Crumb("Overview")], prepare=prepare)


ATTENTION_PREVIEW = 20


def _attention(site: Site) -> list[Page]:
    """An index of what needs fixing, with a paginated listing for each kind of gap."""
    kinds = [
        ("derived", "Derived titles", "No source gave these papers a title; the title shown is the start of the abstract.",
         [p for p in site.papers if p.title_is_derived]),
        ("no-links", "No links", "No code, project page, PDF, DOI or arXiv id is known for these papers.",
         [p for p in site.papers if not p.links and not p.doi and not p.arxiv]),
        ("no-abstract", "No abstract", "These papers have no abstract yet.", [p for p in site.papers if not p.abstract]),
    ]
    sections, pages = [], []
    for slug, title, text, papers in kinds:
        papers = sorted(papers, key=by_title)
        sections.append({"slug": slug, "title": title, "text": text, "count": len(papers),
                         "papers": papers[:ATTENTION_PREVIEW], "all": f"attention/{slug}.html"})
        if papers:
            pages += _listing(site, f"attention/{slug}", title, papers, "attention",
                              [Crumb("Needs attention", "attention.html")], description=text, extra={})
    index = Page("attention.html", "attention.html", "Needs attention",
                 "Papers whose metadata is incomplete: derived titles, no links, no abstract.",
                 [Crumb("Needs attention")], {"sections": sections},
                 depends_on=frozenset(p.slug for s in sections for p in s["papers"]))
    return [index] + pages


def _doc_page(site: Site, doc: DocSource) -> Page:
    return Page(doc.output, "doc.html", doc.title, f"{doc.title} — {site.config.title}", [Crumb(doc.title)],
                {"doc": doc}, searchable=True)
