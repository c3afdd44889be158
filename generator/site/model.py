"""The site model: the collection as the site shows it, and the pages it is made of.

Nothing here renders or writes. A `Site` is complete when it is made: its papers, docs pages
and the groupings every page draws on (topics, tags, years, authors). Pages carry typed
contexts (see contexts.py) holding exactly what their template may read.
"""
from __future__ import annotations

import bisect
import copy
import datetime as dt
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from generator.content.citekeys import key_groups, keys_of, regroup
from generator.content.config import SiteConfig, Topic
from generator.content.history import last_changes
from generator.content.paper import Paper, PerObject
from generator.content.readinglist import ReadingList
from generator.content.slugs import slugify
from generator.site import urls


@dataclass(frozen=True)
class Crumb:
    label: str
    path: str | None = None


@dataclass(frozen=True)
class TopicNode:
    """A topic in the sidebar's tree, with its paper count."""
    slug: str
    title: str
    description: str
    count: int
    children: tuple[TopicNode, ...] = ()


@dataclass(frozen=True)
class Pager:
    number: int
    total: int
    pages: tuple[str, ...]  # path of every page of the listing

    @property
    def previous(self) -> str | None:
        return self.pages[self.number - 2] if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.pages[self.number] if self.number < self.total else None


@dataclass(frozen=True)
class DocSource:
    source: str  # the Markdown file, as a path
    output: str  # e.g. "about.html"
    title: str
    text: str


@dataclass(frozen=True)
class Card:
    """What a list shows of a paper (templates/_paper_item.html): a change to anything else
    in the paper does not change the lists it appears in."""
    slug: str
    title: str  # as written, TeX and all: templates show it with tex_html
    title_is_derived: bool
    authors: tuple[str, ...]  # the first four: a list shows three and "et al."
    venue: str
    year: int | None
    tags: tuple[str, ...]  # the first five
    snippet: str = ""  # the abstract's first sentence, cut; none when the title is the abstract's start
    added: str = ""  # ISO date: a list's "recently added" order

    @classmethod
    def of(cls, paper: Paper) -> Card:
        return cls(paper.slug, paper.title, paper.title_is_derived, tuple(paper.authors[:4]), paper.venue,
                   paper.year, tuple(paper.tags[:5]), "" if paper.title_is_derived else snippet(paper.abstract),
                   paper.added.isoformat() if paper.added else "")

    def as_related(self) -> Card:
        """What a paper page's related papers show of it: no tag chips and no date to sort by
        (five cards with chips were 7% of a paper page), so a tag edit leaves those pages be."""
        return _RELATED(self)


_CARDS = PerObject(Card.of)  # `serve` makes a site model per edit: the other 9,999 cards are kept
_RELATED: PerObject[Card, Card] = PerObject(lambda card: replace(card, tags=(), added=""))

SNIPPET_CHARS = 160
SENTENCE_MIN_CHARS = 40  # a full stop before this is an abbreviation ('e.g.', 'Fig.'), not the sentence's end


def snippet(abstract: str) -> str:
    """The abstract's first sentence, at most SNIPPET_CHARS and cut at a word ('…')."""
    text = " ".join(abstract.split())
    end = next((i + 1 for i, c in enumerate(text[:SNIPPET_CHARS]) if c in ".?!" and text[i + 1:i + 2] in (" ", "")
                and i > SENTENCE_MIN_CHARS), 0)
    if end:
        return text[:end]
    if len(text) <= SNIPPET_CHARS:
        return text
    return text[:SNIPPET_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"


@dataclass(frozen=True)
class PaperLink:
    """A paper named by a link only (previous / next in a topic)."""
    slug: str
    title: str


@dataclass(frozen=True)
class NavLink:
    title: str
    path: str


@dataclass(frozen=True)
class Chrome:
    """Everything every page shows (header, sidebar, footer): the only site-wide values a
    template can read. A change here changes every page."""
    title: str
    base_url: str
    repo_url: str
    repo_branch: str
    language: str
    allow_html: bool
    nav: tuple[NavLink, ...]
    topic_tree: tuple[TopicNode, ...]
    topic_titles: dict[str, str]
    paper_count: int
    topic_count: int
    has_years: bool
    citation_style: str  # CSL style id of the paper pages' formatted citation; "" for none
    # The vocabulary's tags (tags.yaml, not the papers: a new tag on a paper must not change
    # every page) -> the name a chip shows ('GCN'); see tag_chip.
    tag_names: dict[str, str]
    has_authors: bool
    has_lists: bool = False


@dataclass(frozen=True)
class ListMembership:
    """A reading list a paper is in, as its page names it ("In the reading list: …, 3 of 12")."""
    slug: str
    title: str
    position: int  # from 1
    length: int


@dataclass
class Site:
    config: SiteConfig
    papers: list[Paper]
    docs: list[DocSource] = field(default_factory=list)
    intro: str = ""
    lists: list[ReadingList] = field(default_factory=list)  # entries all name papers of the site (checked)

    def __post_init__(self) -> None:
        self.by_slug = {p.slug: p for p in self.papers}
        self.lists_of = _lists_of(self.lists)
        self.cards = {p.slug: _CARDS(p) for p in self.papers}
        self._key_groups = key_groups(self.papers)
        self.cite_keys = keys_of(self._key_groups)
        self.topic_counts = Counter(t for p in self.papers for t in p.topics)
        self.tag_counts = Counter(t for p in self.papers for t in p.tags)
        self.topic_tree = _topic_tree(self.config.topics, self.topic_counts)
        self.topic_titles = {t.slug: t.title for t in self.config.topics}
        # Members sorted once, so no page has to scan the whole collection (50,000 papers). The
        # order of these dicts means nothing (an edited model adds keys last): pages sort them.
        self.topic_members: dict[str, list[Paper]] = {}
        self.tag_members: dict[str, list[Paper]] = {}
        self.year_members: dict[int, list[Paper]] = {}
        self.author_members: dict[str, list[Paper]] = {}
        self.gap_members: dict[str, list[Paper]] = {}  # what needs attention (GAPS) -> its papers
        self._known_topics = {t.slug for t in self.config.topics}
        self._spellings: dict[str, Counter] = {}
        self.alphabetical = sorted(self.papers, key=by_title)
        self.newest = sorted(self.papers, key=by_newest)
        for paper in self.alphabetical:
            for members, key in self._groups_of(paper):
                members.setdefault(key, []).append(paper)
            for slug, name in _authors(paper):
                self._spellings.setdefault(slug, Counter())[name] += 1
        self.author_names = {slug: _written_name(forms) for slug, forms in self._spellings.items()}
        self.position = {topic: _positions(members) for topic, members in self.topic_members.items()}

    def _groups_of(self, paper: Paper) -> list[tuple[dict, Any]]:
        """(members dict, key) for each group that lists `paper`: the one place that says which."""
        groups: list[tuple[dict, Any]] = [(self.topic_members, t) for t in paper.topics]
        groups += [(self.tag_members, t) for t in paper.tags]
        if paper.year:
            groups.append((self.year_members, paper.year))
        groups += [(self.gap_members, gap) for gap in _gaps(paper, self._known_topics)]
        return groups + [(self.author_members, slug) for slug, _ in _authors(paper)]

    def edited(self, changes: dict[str, Paper | None], lists: list[ReadingList]) -> Site:
        """This site with the papers in `changes` (slug -> paper, None to remove) and `lists`:
        what `Site(config, papers, docs, intro, lists)` makes, but patched, in a few milliseconds
        instead of ~150 at 10,000 papers (`serve` makes one per edit). Papers stay in the order files are read in.
        This site is not changed. tests/test_site_model.py compares the two on random edits."""
        new = copy.copy(self)
        new.__dict__.pop("_changes", None)
        new.lists, new.lists_of = lists, _lists_of(lists)
        new.by_slug, new.cards, new.papers = dict(self.by_slug), dict(self.cards), list(self.papers)
        new.topic_counts, new.tag_counts = Counter(self.topic_counts), Counter(self.tag_counts)
        new.topic_members, new.tag_members = dict(self.topic_members), dict(self.tag_members)
        new.year_members, new.author_members = dict(self.year_members), dict(self.author_members)
        new.gap_members = dict(self.gap_members)
        new.alphabetical, new.newest = list(self.alphabetical), list(self.newest)
        new._spellings = dict(self._spellings)
        new.author_names = dict(self.author_names)
        olds = [p for slug in changes if (p := self.by_slug.get(slug)) is not None]
        news = [p for p in changes.values() if p is not None]
        copied: set[int] = set()  # member lists copied already: the old site keeps its own
        for paper in olds:
            new._leave(paper, copied)
        for paper in news:
            new._join(paper, copied)
        new._key_groups, touched = regroup(self._key_groups, olds, news)
        new.cite_keys = dict(self.cite_keys)
        for paper in olds:
            new.cite_keys.pop(paper.slug, None)
        new.cite_keys.update(keys_of(new._key_groups, touched))
        new.topic_tree = _topic_tree(self.config.topics, new.topic_counts)
        topics = {t for p in olds + news for t in p.topics}
        new.position = dict(self.position)
        for topic in topics:
            if topic in new.topic_members:
                new.position[topic] = _positions(new.topic_members[topic])
            else:
                new.position.pop(topic, None)
        for slug in {slug for p in olds + news for slug, _ in _authors(p)}:
            forms = new._spellings.get(slug)
            if forms:
                new.author_names[slug] = _written_name(forms)
            else:
                new.author_names.pop(slug, None)
        return new

    def _leave(self, paper: Paper, copied: set[int]) -> None:
        del self.by_slug[paper.slug], self.cards[paper.slug]
        del self.papers[_find(self.papers, paper, _in_file_order)]
        del self.alphabetical[_find(self.alphabetical, paper, by_title)]
        del self.newest[_find(self.newest, paper, by_newest)]
        for counts, keys in ((self.topic_counts, paper.topics), (self.tag_counts, paper.tags)):
            counts.subtract(keys)
            for key in keys:
                if key in counts and counts[key] <= 0:
                    del counts[key]  # a Counter keeps zeros: a tag no paper has must not be listed
        for members, key in self._groups_of(paper):
            papers = _own(members, key, copied)
            del papers[_find(papers, paper, by_title)]
            if not papers:
                del members[key]
        for slug, name in _authors(paper):
            forms = self._spellings[slug] = Counter(self._spellings[slug])
            forms[name] -= 1
            if forms[name] <= 0:
                del forms[name]
            if not forms:
                del self._spellings[slug]

    def _join(self, paper: Paper, copied: set[int]) -> None:
        self.by_slug[paper.slug], self.cards[paper.slug] = paper, _CARDS(paper)
        bisect.insort(self.papers, paper, key=_in_file_order)
        bisect.insort(self.alphabetical, paper, key=by_title)
        bisect.insort(self.newest, paper, key=by_newest)
        self.topic_counts.update(paper.topics)
        self.tag_counts.update(paper.tags)
        for members, key in self._groups_of(paper):
            if key not in members:
                members[key] = []
                copied.add(id(members[key]))
            bisect.insort_right(_own(members, key, copied), paper, key=by_title)
        for slug, name in _authors(paper):
            forms = self._spellings[slug] = Counter(self._spellings.get(slug, ()))
            forms[name] += 1

    def last_changes(self) -> dict[str, dt.datetime]:
        """Slug -> when its file last changed (content/history.py), never before it was added;
        looked up once, when the feed or the sitemap first asks."""
        if getattr(self, "_changes", None) is None:
            files = [p.path for p in self.papers if p.path is not None]
            changed = last_changes(self.config.papers_dir, files)
            self._changes = {}
            for paper in self.papers:
                added = dt.datetime.combine(paper.added, dt.time(), dt.UTC) if paper.added else None
                when = changed.get(paper.path) if paper.path is not None else None
                self._changes[paper.slug] = max(d for d in (added, when, _EPOCH) if d is not None)
        return self._changes

    def chrome(self) -> Chrome:
        config = self.config
        return Chrome(config.title, config.base_url, config.repo_url, config.repo_branch, config.language,
                      config.allow_html, tuple(NavLink(n.title, urls.doc(n.page)) for n in config.nav),
                      self.topic_tree, dict(self.topic_titles), len(self.papers), len(config.topics),
                      bool(self.year_members), config.citation_style,
                      {t.slug: t.short for t in config.tags}, bool(self.author_members), bool(self.lists))


def tag_name(config: SiteConfig, slug: str, full: bool = False) -> str:
    """A tag as readers see it: its vocabulary name, or the slug as words for a tag outside it."""
    tag = config.tag(slug)
    if tag is None:
        return tag_chip({}, slug)
    return tag.title if full else tag.short


def tag_chip(names: dict[str, str], slug: str) -> str:
    """What a chip shows for a tag, from the chrome's `tag_names`: a tag outside the vocabulary as words."""
    return names.get(slug) or slug.replace("-", " ")


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _topic_tree(topics: list[Topic], counts: Counter) -> tuple[TopicNode, ...]:
    children: dict[str, list[Topic]] = {}
    roots = []
    known = {t.slug for t in topics}
    for topic in topics:
        if topic.parent and topic.parent in known:
            children.setdefault(topic.parent, []).append(topic)
        else:
            roots.append(topic)

    def node(topic: Topic) -> TopicNode:
        return TopicNode(topic.slug, topic.title, topic.description, counts.get(topic.slug, 0),
                         tuple(node(child) for child in children.get(topic.slug, [])))

    return tuple(node(t) for t in roots)


GAPS = ("derived", "no-links", "no-abstract", "no-topic")  # in the order the attention page lists them


def _gaps(paper: Paper, known_topics: set[str]) -> list[str]:
    """What a paper lacks, of GAPS: a title of its own, links, an abstract, a topic of the taxonomy."""
    gaps = ["derived"] if paper.title_is_derived else []
    if not paper.links and not paper.doi and not paper.arxiv:
        gaps.append("no-links")
    if not paper.abstract:
        gaps.append("no-abstract")
    if known_topics.isdisjoint(paper.topics):
        gaps.append("no-topic")
    return gaps


def _lists_of(lists: list[ReadingList]) -> dict[str, list[ListMembership]]:
    lists_of: dict[str, list[ListMembership]] = {}
    for reading_list in lists:
        for i, slug in enumerate(reading_list.slugs, 1):
            membership = ListMembership(reading_list.slug, reading_list.title, i, len(reading_list.entries))
            lists_of.setdefault(slug, []).append(membership)
    return lists_of


def _authors(paper: Paper) -> list[tuple[str, str]]:
    """(author page slug, name as written) for each author that has a page."""
    return [(slug, name) for name in paper.authors if (slug := author_slug(name))]


def _written_name(forms: Counter) -> str:
    # One page per name; headed with the name as its papers write it, accents included
    # ('José García' over a 'Jose Garcia' that some export folded), then the commonest form.
    return max(forms, key=lambda n: (_marks(n), forms[n], n))


def _positions(members: list[Paper]) -> dict[str, int]:
    return {p.slug: i for i, p in enumerate(members)}


def _in_file_order(paper: Paper) -> str:
    return f"{paper.slug}.md"  # load_papers reads files sorted by name: 'a-b.md' before 'a.md'


def _find(papers: list[Paper], paper: Paper, key) -> int:
    """Where `paper` itself is in `papers`, sorted by `key` (papers are compared by identity)."""
    at = bisect.bisect_left(papers, key(paper), key=key)
    while papers[at] is not paper:  # IndexError if it is not there: a model out of step
        at += 1
    return at


def _own(members: dict, key: Any, copied: set[int]) -> list[Paper]:
    """members[key], copied once per edit so the site it came from keeps its own list."""
    papers = members[key]
    if id(papers) not in copied:
        papers = members[key] = list(papers)
        copied.add(id(papers))
    return papers


def walk(nodes: tuple[TopicNode, ...]):
    for node in nodes:
        yield node
        yield from walk(node.children)


def author_slug(name: str) -> str:
    return slugify(name)


def _marks(name: str) -> int:
    """How many accents `name` carries (in any script): more means closer to how it is written."""
    return sum(1 for c in unicodedata.normalize("NFD", name) if unicodedata.combining(c))


def by_title(paper: Paper) -> tuple:
    return (paper.title_text.casefold(), paper.slug)


def by_newest(paper: Paper) -> tuple:
    return (-(paper.added.toordinal() if paper.added else 0), paper.title_text.casefold(), paper.slug)
