"""Planning: every page of a site, where it goes and what it shows (nothing is rendered here).

Paper pages also show related papers, which `analysis/related.py` ranks; they are passed in
(`Related`), so every other page can be planned and rendered while they are being ranked.
The overview's map is computed here too, from the analysis of the papers' text.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from generator.analysis.maplayout import PALETTE_SIZE, cluster_labels, map_points
from generator.analysis.text import paper_terms
from generator.content.config import Topic
from generator.content.paper import Paper
from generator.content.readinglist import ReadingList
from generator.site import urls
from generator.site.model import (
    GAPS,
    Card,
    Crumb,
    DocSource,
    Pager,
    PaperLink,
    Site,
    TopicNode,
    tag_name,
    walk,
)
from generator.site.pages import (
    AttentionContext,
    AttentionSection,
    AuthorsContext,
    DocContext,
    HomeContext,
    ListingContext,
    ListItem,
    NoContext,
    OverviewContext,
    Page,
    PaperContext,
    ReadingListContext,
    ReadingListsContext,
    SearchContext,
    TagsContext,
    YearsContext,
)
from generator.site.stats import added_bars, tag_bars, topic_bars

RECENT_ON_HOME = 12
ATTENTION_PREVIEW = 20
SUMMARY_CHARS = 200

ATTENTION_TEXTS = {  # GAPS -> (heading, what the page says)
    "derived": ("Derived titles", "No source gave these papers a title; the title shown is the start of the abstract."),
    "no-links": ("No links", "No code, project page, PDF, DOI or arXiv id is known for these papers."),
    "no-abstract": ("No abstract", "These papers have no abstract yet."),
    "no-topic": ("No topic", "No topic of the taxonomy fits these papers: add one to site.yaml (\"litsite "
                 "suggest-topics --unsorted\" proposes some) or give them topics by hand."),
}

Related = Mapping[str, Sequence[str]]  # slug -> slugs of its most similar papers, best first


def plan_site(site: Site, related: Related) -> list[Page]:
    """Every page of the site, in a stable order."""
    others = [home_page(site)] + plan_collection_pages(site)
    return in_site_order(others, [paper_page(site, p, related) for p in site.papers], overview_page(site))


def in_site_order(others: list[Page], papers: list[Page], overview: Page) -> list[Page]:
    """The site's order (the sitemap's): home, papers, listings and needs-attention pages, the
    overview, docs, search. A build plans these three parts at different times."""
    at = next((i for i, p in enumerate(others) if p.template in ("doc.html", "search.html")), len(others))
    return others[:1] + papers + others[1:at] + [overview] + others[at:]


class PlanMemo:
    """The collection pages planned last time, each group of pages under what it was planned
    from: `serve` plans the site again on every edit, and a group planned from the same paper
    objects (identity: an edit makes new ones) and the same other arguments is the same pages,
    whose keys need not be computed again. Only the last plan is kept; it holds its papers, so
    their ids cannot be taken by new objects while it is compared with."""

    def __init__(self) -> None:
        self._last: dict[tuple, tuple[tuple[Paper, ...], list[Page]]] = {}
        self._now: dict[tuple, tuple[tuple[Paper, ...], list[Page]]] = {}

    def pages(self, key: tuple, papers: Sequence[Paper], plan: Callable[[], list[Page]]) -> list[Page]:
        ident = (key, tuple(map(id, papers)))
        kept = self._last.get(ident)
        pages = kept[1] if kept is not None else plan()
        self._now[ident] = (tuple(papers), pages)
        return pages

    def done(self) -> None:
        self._last, self._now = self._now, {}


class _NoMemo(PlanMemo):
    def pages(self, key: tuple, papers: Sequence[Paper], plan: Callable[[], list[Page]]) -> list[Page]:
        return plan()


def plan_collection_pages(site: Site, memo: PlanMemo | None = None) -> list[Page]:
    """Every page but the home page, the paper pages and the overview: indexes, listings, docs.
    With `memo` (serve), groups planned from what they were planned from last time are reused."""
    memo = memo or _NoMemo()
    pages = [_topics_index(site)]
    for node in walk(site.topic_tree):
        pages += _topic_listing(site, memo, node)
    pages += memo.pages(("tags", tuple(site.tag_counts.items())), (), lambda: [_tags_index(site)])
    for tag in sorted(site.tag_counts):
        pages += _tag_listing(site, memo, tag)
    if site.year_members:
        pages.append(_years_index(site))
    for year in sorted(site.year_members):
        pages += _listing(site, memo, urls.year(year), f"Papers from {year}", site.year_members[year], "year",
                          (Crumb("Years", urls.YEARS),), description=f"Papers published in {year}.")
    if site.author_members:
        people = tuple((slug, site.author_names[slug], len(papers)) for slug, papers in site.author_members.items())
        pages += memo.pages(("authors", people), (), lambda: [_authors_index(site)])
    for slug in sorted(site.author_members):
        pages += _author_listing(site, memo, slug)
    everything = site.alphabetical
    pages += _listing(site, memo, urls.ALL_BY_TITLE, "All papers", everything, "all", (),
                      description=f"All {len(everything)} papers, A to Z.", sort="title")
    pages += _listing(site, memo, urls.ALL_BY_ADDED, "All papers, newest first", site.newest, "all", (),
                      description="All papers, most recently added first.", sort="added")
    pages += _attention(site, memo)
    pages += memo.pages(("reading lists", tuple(map(id, site.lists))),
                        [site.by_slug[e.slug] for r in site.lists for e in r.entries], lambda: _reading_lists(site))
    pages += [_doc_page(site, doc) for doc in site.docs]
    topics = tuple((t.slug, site.topic_titles.get(t.slug, t.slug)) for t in site.config.topics)
    pages.append(Page(urls.SEARCH, "search.html", "Search", f"Search {site.config.title}.",
                      SearchContext(topics, urls.for_script(),
                                    tuple((t, tag_name(site.config, t)) for t in sorted(site.tag_counts)),
                                    site.config.meaning_search),
                      (Crumb("Search"),), in_sitemap=False))
    pages.append(Page(urls.NOT_FOUND, "404.html", "Page not found", "This page does not exist.", NoContext(),
                      in_sitemap=False))
    memo.done()
    return pages


def _topic_listing(site: Site, memo: PlanMemo, node: TopicNode) -> list[Page]:
    papers = site.topic_members.get(node.slug, [])
    topic = site.config.topic(node.slug)
    assert topic is not None
    return _listing(site, memo, urls.topic(node.slug), node.title, papers, "topic",
                    (Crumb("Topics", urls.TOPICS),) + _topic_crumbs(site, topic),
                    description=node.description or f"Papers on {node.title}.", topic=node.slug, node=node, bars=True)


def _tag_listing(site: Site, memo: PlanMemo, tag: str) -> list[Page]:
    papers = site.tag_members[tag]
    name = tag_name(site.config, tag, full=True)
    return _listing(site, memo, urls.tag(tag), f"Tag: {name}", papers, "tag", (Crumb("Tags", urls.TAGS),),
                    description=f"{len(papers)} papers tagged {name}.", lead=_tag_lead(site, tag))


def _author_listing(site: Site, memo: PlanMemo, slug: str) -> list[Page]:
    name, papers = site.author_names[slug], site.author_members[slug]
    return _listing(site, memo, urls.author(slug), name, papers, "author", (),
                    description=f"{len(papers)} papers by {name}.")


def _topic_crumbs(site: Site, topic: Topic) -> tuple[Crumb, ...]:
    chain = [topic]
    while chain[0].parent:
        parent = site.config.topic(chain[0].parent)
        if parent is None:
            break
        chain.insert(0, parent)
    return tuple(Crumb(t.title, urls.topic(t.slug)) for t in chain)


def home_page(site: Site) -> Page:
    # "Recently added" only when the dates tell papers apart: with one date for all (a
    # collection imported at once) the list would just be the alphabet's first papers.
    dated = len({p.added for p in site.papers if p.added}) > 1
    recent = site.newest[:RECENT_ON_HOME] if dated else []
    return Page(urls.HOME, "home.html", site.config.title, site.config.description or site.config.title,
                HomeContext(site.intro, _cards(site, recent)))


def paper_page(site: Site, paper: Paper, related: Related) -> Page:
    primary = primary_topic(site, paper)
    topic = site.config.topic(primary) if primary else None
    crumbs = (Crumb("Topics", urls.TOPICS),) + (_topic_crumbs(site, topic) if topic else ())
    previous, following = neighbours_in_topic(site, paper, primary)
    similar = tuple(site.cards[s].as_related() for s in related.get(paper.slug, ()) if s in site.cards)
    context = PaperContext(paper, similar, _link(previous), _link(following), primary, site.cite_keys[paper.slug],
                           tuple(site.lists_of.get(paper.slug, ())))
    return Page(urls.paper(paper.slug), "paper.html", shown_title(paper), _summary(paper), context, crumbs,
                topic=primary, searchable=True)


def shown_title(paper: Paper) -> str:
    """The title as plain text where readers see it (<title>, previous/next links): a derived one
    says it is not the paper's title."""
    return f"Untitled — {paper.title_text}" if paper.title_is_derived else paper.title_text


def _summary(paper: Paper) -> str:
    abstract = paper.abstract
    if len(abstract) > SUMMARY_CHARS:
        return abstract[:SUMMARY_CHARS].rsplit(" ", 1)[0] + "…"
    return abstract or paper.title_text


def _link(paper: Paper | None) -> PaperLink | None:
    return PaperLink(paper.slug, shown_title(paper)) if paper else None


def _cards(site: Site, papers: Sequence[Paper]) -> tuple[Card, ...]:
    return tuple(site.cards[p.slug] for p in papers)


def primary_topic(site: Site, paper: Paper) -> str | None:
    return paper.topics[0] if paper.topics and site.config.topic(paper.topics[0]) else None


def neighbours_in_topic(site: Site, paper: Paper, primary: str | None) -> tuple[Paper | None, Paper | None]:
    """The papers before and after this one in its primary topic, A to Z (previous/next links)."""
    if not primary:
        return None, None
    siblings = site.topic_members[primary]
    i = site.position[primary][paper.slug]
    return (siblings[i - 1] if i > 0 else None), (siblings[i + 1] if i + 1 < len(siblings) else None)


def _topics_index(site: Site) -> Page:
    return Page(urls.TOPICS, "topics.html", "Topics", f"The {len(site.config.topics)} topics of {site.config.title}.",
                NoContext(), (Crumb("Topics"),))


def _years_index(site: Site) -> Page:
    years = tuple(sorted(((y, len(p)) for y, p in site.year_members.items()), reverse=True))
    return Page(urls.YEARS, "years.html", "Years", "Papers by year of publication.", YearsContext(years),
                (Crumb("Years"),))


def _tag_lead(site: Site, slug: str) -> str:
    tag = site.config.tag(slug)
    if tag is None:
        return "A tag outside the vocabulary (tags.yaml): a person or the import gave it."
    if tag.description:
        return tag.description
    phrases = ", ".join(dict.fromkeys(tag.aliases or (slug.replace("-", " "),)))
    return f"Papers whose title or abstract speaks of {phrases}."


def _authors_index(site: Site) -> Page:
    """Every author, A to Z by family name (the last word of the name as written), grouped by its letter."""
    people = sorted(((slug, site.author_names[slug], len(papers)) for slug, papers in site.author_members.items()),
                    key=lambda a: (_family(a[1]).casefold(), a[1].casefold(), a[0]))
    letters: dict[str, list[tuple[str, str, int]]] = {}
    for person in people:
        initial = _family(person[1])[:1].upper()
        letters.setdefault(initial if initial.isalpha() and initial.isascii() else "#", []).append(person)
    groups = tuple((letter, tuple(members)) for letter, members in letters.items())
    return Page(urls.AUTHORS, "authors.html", "Authors", f"All {len(people)} authors, A to Z, with their papers.",
                AuthorsContext(groups, len(people)), (Crumb("Authors"),))


def _family(name: str) -> str:
    words = name.replace(",", " ").split()
    return words[-1] if words else name


def _tags_index(site: Site) -> Page:
    named = [(slug, tag_name(site.config, slug, full=True), n) for slug, n in site.tag_counts.items()]
    alphabetical = tuple(sorted(named, key=lambda t: (t[1].casefold(), t[0])))
    by_count = tuple(sorted(named, key=lambda t: (-t[2], t[1].casefold(), t[0])))
    return Page(urls.TAGS, "tags.html", "Tags", f"All {len(alphabetical)} tags with their paper counts.",
                TagsContext(alphabetical, by_count), (Crumb("Tags"),))


def _listing(site: Site, memo: PlanMemo, first: str, title: str, papers: list[Paper], kind: str,
             crumbs: tuple[Crumb, ...], description: str, topic: str | None = None, node: TopicNode | None = None,
             bars: bool = False, sort: str = "", lead: str = "") -> list[Page]:
    """A paginated list of papers; with `bars`, its first page charts their tags. Each page is
    planned from its own papers (all of them for a chart): a title edit re-plans the one or
    two pages of "All papers" where the paper leaves and arrives, not all 200."""
    total = max(1, math.ceil(len(papers) / site.config.per_page))
    listing = _Listing(first, title, kind, crumbs, description, topic, node, sort, lead,
                       tuple(urls.listing_pages(first, total)), len(papers))
    pages = []
    for n in range(1, total + 1):
        chunk = papers[(n - 1) * site.config.per_page: n * site.config.per_page]
        charted = bars and n == 1
        pages += memo.pages((listing, n, charted), papers if charted else chunk,
                            partial(_listing_page, site, listing, n, chunk, papers if charted else None))
    return pages


@dataclass(frozen=True)
class _Listing:
    """What every page of a list shows, but its papers."""
    first: str
    title: str
    kind: str
    crumbs: tuple[Crumb, ...]
    description: str
    topic: str | None
    node: TopicNode | None
    sort: str
    lead: str
    paths: tuple[str, ...]
    count: int


def _listing_page(site: Site, listing: _Listing, n: int, chunk: list[Paper], charted: list[Paper] | None) -> list[Page]:
    total, title, crumbs = len(listing.paths), listing.title, listing.crumbs
    page_title = title if n == 1 else f"{title} (page {n} of {total})"
    trail = crumbs if crumbs and crumbs[-1].label == title else crumbs + (Crumb(title, listing.paths[0]),)
    bars = tag_bars(site, limit=8, papers=charted) if charted is not None else ()
    context = ListingContext(_cards(site, chunk), Pager(n, total, listing.paths), listing.kind, listing.count, title,
                             listing.node, bars, listing.sort, listing.lead)
    return [Page(listing.paths[n - 1], "listing.html", page_title, listing.description, context,
                 _last_unlinked(trail, n == 1), topic=listing.topic)]


def _last_unlinked(crumbs: tuple[Crumb, ...], first_page: bool) -> tuple[Crumb, ...]:
    if not crumbs or not first_page:
        return crumbs
    return crumbs[:-1] + (Crumb(crumbs[-1].label),)


def overview_page(site: Site, document: Callable[[Paper], list[str]] = paper_terms) -> Page:
    """The overview: charts of the counts and the map (costly at scale: TF-IDF and LSA);
    `document`: a paper's terms for the map (analysis/text.py)."""
    topics = [t.slug for t in site.config.topics]
    legend = tuple((i % PALETTE_SIZE, t.slug, t.title) for i, t in enumerate(site.config.topics))
    points = map_points(site.papers, topics, document)
    added_per, added = added_bars(site)
    labels = cluster_labels(points, [t.title for t in site.config.topics])
    context = OverviewContext(topic_bars(site), tag_bars(site), added, added_per, points, legend, labels,
                              len(site.tag_counts))
    return Page(urls.OVERVIEW, "overview.html", "Overview", f"The shape of {site.config.title}: topics, tags, "
                "additions over time and a map of the papers.", context, (Crumb("Overview"),))


def _attention(site: Site, memo: PlanMemo) -> list[Page]:
    """An index of what needs fixing, with a paginated listing for each kind of gap."""
    kinds = [(gap, *ATTENTION_TEXTS[gap], site.gap_members.get(gap, [])) for gap in GAPS]
    kinds = [kind for kind in kinds if kind[0] != "no-topic" or kind[3]]  # shown once a paper is unsorted
    shown = [(slug, len(papers)) for slug, _, _, papers in kinds]
    previews = [p for *_, papers in kinds for p in papers[:ATTENTION_PREVIEW]]
    index = memo.pages(("attention", tuple(shown)), previews, lambda: [_attention_index(site, kinds)])
    pages = []
    for slug, title, text, papers in kinds:
        if papers:
            pages += _listing(site, memo, urls.attention(slug), title, papers, "attention",
                              (Crumb("Needs attention", urls.ATTENTION),), description=text)
    return index + pages


def _attention_index(site: Site, kinds: list[tuple[str, str, str, list[Paper]]]) -> Page:
    sections = tuple(AttentionSection(slug, title, text, len(papers), _cards(site, papers[:ATTENTION_PREVIEW]),
                                      urls.attention(slug)) for slug, title, text, papers in kinds)
    return Page(urls.ATTENTION, "attention.html", "Needs attention",
                "Papers whose metadata is incomplete: derived titles, no links, no abstract.",
                AttentionContext(sections), (Crumb("Needs attention"),))


def _reading_lists(site: Site) -> list[Page]:
    if not site.lists:
        return []
    ordered = sorted(site.lists, key=lambda r: (r.title.casefold(), r.slug))
    index = Page(urls.READING_LISTS, "reading_lists.html", "Reading lists",
                 f"{len(ordered)} reading lists: papers in the order to read them, with notes.",
                 ReadingListsContext(tuple((r.slug, r.title, r.description, len(r.entries)) for r in ordered)),
                 (Crumb("Reading lists"),))
    return [index] + [_reading_list_page(site, r) for r in ordered]


def _reading_list_page(site: Site, reading_list: ReadingList) -> Page:
    items = tuple(ListItem(site.cards[e.slug], e.note) for e in reading_list.entries)
    lead = reading_list.description
    return Page(urls.reading_list(reading_list.slug), "reading_list.html", reading_list.title,
                lead or f"A reading list of {len(items)} papers.",
                ReadingListContext(reading_list.slug, reading_list.title, lead, reading_list.intro, items),
                (Crumb("Reading lists", urls.READING_LISTS), Crumb(reading_list.title)))


def _doc_page(site: Site, doc: DocSource) -> Page:
    return Page(doc.output, "doc.html", doc.title, f"{doc.title} — {site.config.title}", DocContext(doc),
                (Crumb(doc.title),), searchable=True)
