"""Where every page of a site goes: the one place that knows output paths.

Python code, templates (through the `paths` global) and the search script (through the
configuration the search page carries, see `for_script`) all ask here. Every path is relative
to the site root; `relative` turns it into a link from the page it appears on, so one build
works on any sub-path and from file://.
"""
from __future__ import annotations

HOME = "index.html"
SEARCH = "search.html"
TOPICS = "topics.html"
TAGS = "tags.html"
YEARS = "years.html"
AUTHORS = "authors.html"
READING_LISTS = "lists.html"
OVERVIEW = "overview.html"
ATTENTION = "attention.html"
NOT_FOUND = "404.html"
ALL_BY_TITLE = "list/title.html"
ALL_BY_ADDED = "list/added.html"

SITEMAP = "sitemap.xml"
FEED = "feed.xml"
ROBOTS = "robots.txt"
PAPERS_JSON = "papers.json"
PAPERS_BIB = "papers.bib"
PAPERS_CSL = "papers.csl.json"
PAPERS_RIS = "papers.ris"
OFFLINE_INDEX = "search-index.js"
MEANING_INDEX = "search-vectors.js"
PAGEFIND = "pagefind"
STATIC = "static"

PAPERS_DIR = "papers"
TAGS_DIR = "tags"
TOPICS_DIR = "topics"
YEARS_DIR = "years"
AUTHORS_DIR = "authors"
LIST_DIR = "list"
ATTENTION_DIR = "attention"
READING_LISTS_DIR = "lists"

# Paths the generator writes itself; a docs page may not take one of them.
RESERVED_FILES = frozenset({HOME, SEARCH, TAGS, TOPICS, ATTENTION, NOT_FOUND, YEARS, AUTHORS, OVERVIEW, SITEMAP, FEED,
                            READING_LISTS,
                            ROBOTS, PAPERS_JSON, PAPERS_BIB, PAPERS_CSL, PAPERS_RIS,
                            OFFLINE_INDEX, MEANING_INDEX})
RESERVED_DIRS = frozenset({PAPERS_DIR, TAGS_DIR, TOPICS_DIR, LIST_DIR, STATIC, PAGEFIND, YEARS_DIR, AUTHORS_DIR,
                           ATTENTION_DIR, READING_LISTS_DIR})


def paper(slug: str) -> str:
    return f"{PAPERS_DIR}/{slug}.html"


def tag(slug: str) -> str:
    return f"{TAGS_DIR}/{slug}.html"


def topic(slug: str) -> str:
    return f"{TOPICS_DIR}/{slug}.html"


def year(value: int) -> str:
    return f"{YEARS_DIR}/{value}.html"


def author(slug: str) -> str:
    return f"{AUTHORS_DIR}/{slug}.html"


def reading_list(slug: str) -> str:
    return f"{READING_LISTS_DIR}/{slug}.html"


def attention(kind: str) -> str:
    return f"{ATTENTION_DIR}/{kind}.html"


def listing_pages(first: str, total: int) -> list[str]:
    """Every page of a paginated listing: 'tags/gnn.html', 'tags/gnn/page-2.html', ..."""
    base = first[: -len(".html")]
    return [first] + [f"{base}/page-{n}.html" for n in range(2, total + 1)]


def doc(markdown_path: str) -> str:
    """A docs page's output: 'guide/install.md' -> 'guide/install.html'."""
    return markdown_path[: -len(".md")] + ".html"


def root_of(page: str) -> str:
    """The prefix that leads from a page to the site root: '' or '../' or '../../'."""
    return "../" * page.count("/")


def relative(from_page: str, target: str) -> str:
    """A link from one site path to another, e.g. ('papers/a.html', 'tags/b.html') -> '../tags/b.html'.

    Site paths are normalised (no '..', no leading '/'), so plain string work is enough; this
    runs tens of thousands of times per build, where posixpath.relpath was the slowest part.
    """
    folder = from_page.rpartition("/")[0]
    if folder and target.startswith(folder + "/"):
        return target[len(folder) + 1:]
    return "../" * from_page.count("/") + target


def for_script() -> dict[str, str]:
    """The URL patterns the search script needs, '{}' standing for a slug."""
    return {"paper": paper("{}"), "tag": tag("{}"), "topic": topic("{}"), "pagefind": f"{PAGEFIND}/pagefind.js",
            "offline": OFFLINE_INDEX, "meaning": MEANING_INDEX}
